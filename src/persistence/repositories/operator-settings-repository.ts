import type { EntityManager } from '@mikro-orm/knex';
import type { ScenarioOverlay } from '../../engine/scenarios/scenario.ts';
import { fromJson, knexOf } from './sql-values.ts';

/** Scenario overlays (the YAML stays the source; the overlay wins until reset) and small operator settings. */
export interface OperatorSettingsStore {
  overlays(): Promise<Map<string, ScenarioOverlay>>;
  putOverlay(scenarioId: string, overlay: ScenarioOverlay, by: string | null): Promise<void>;
  /** False when the scenario had no overlay. */
  removeOverlay(scenarioId: string): Promise<boolean>;
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown): Promise<void>;
}

export function createOperatorSettingsRepository(em: () => EntityManager): OperatorSettingsStore {
  const knex = () => knexOf(em());
  return {
    async overlays() {
      const rows: { scenario_id: string; overlay: unknown }[] = await knex()('scenario_overlays').select('scenario_id', 'overlay');
      return new Map(rows.map((r) => [r.scenario_id, fromJson<ScenarioOverlay>(r.overlay)]));
    },
    async putOverlay(scenarioId, overlay, by) {
      await knex()('scenario_overlays')
        .insert({ scenario_id: scenarioId, overlay: JSON.stringify(overlay), updated_by: by, updated_at: Date.now() })
        .onConflict('scenario_id')
        .merge(['overlay', 'updated_by', 'updated_at']);
    },
    async removeOverlay(scenarioId) {
      return (await knex()('scenario_overlays').where('scenario_id', scenarioId).delete()) > 0;
    },
    async get(key) {
      const row = await knex()('operator_settings').where('key', key).first();
      return row ? fromJson<unknown>(row.value) : null;
    },
    async put(key, value) {
      await knex()('operator_settings').insert({ key, value: JSON.stringify(value), updated_at: Date.now() }).onConflict('key').merge(['value', 'updated_at']);
    },
  };
}
