import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';
import { conflict, GatehouseError } from '../errors.ts';
import { applyGovernancePatch, type GovernancePatch, type GovernancePreset, type GovernanceRevision, type GovernanceSettings } from './governance.ts';
import type { GovernanceStore, StoredGovernanceRevision } from './governance-store.ts';

export interface GovernanceUpdate {
  expectedRevision: number;
  patch: GovernancePatch;
  reason: string | null;
}

/** What a run freezes at start (issue #5 §4, §8). */
export interface GovernanceSnapshot {
  revision: number;
  preset: string | null;
  settings: GovernanceSettings;
  /** SHA-256 of the canonical settings. */
  hash: string;
}

export interface GovernanceService {
  /** Reads the newest revision from the store (start-up, and when another instance announces a change). */
  load(): Promise<GovernanceRevision>;
  current(): GovernanceRevision;
  settings(): GovernanceSettings;
  /** Compare-and-set on the revision: a stale `expectedRevision` is a `revision_conflict`. */
  update(update: GovernanceUpdate, by: string | null): Promise<GovernanceRevision>;
  history(before: number | null, limit: number): Promise<GovernanceRevision[]>;
  historyCount(): Promise<number>;
  presets(): GovernancePreset[];
  /** The current settings with a preset applied; throws NOT_FOUND for an unknown preset. */
  snapshot(preset: string | null): GovernanceSnapshot;
  /** SHA-256 over the policy hash, the rule-pack hash and the governance settings hash. */
  policySetHash(settings?: GovernanceSettings): string;
}

export const settingsHash = (settings: GovernanceSettings): string => createHash('sha256').update(canonicalJson(settings)).digest('hex');

export function policySetHashOf(parts: { policyHash: string | null; rulePackHash: string; governanceHash: string }): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

/** Merges a change into the cumulative overrides (budgets field by field; undefined leaves a field alone). */
function mergeOverrides(overrides: GovernancePatch, patch: GovernancePatch): GovernancePatch {
  const clean = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  const { budgets, ...rest } = patch;
  const merged: GovernancePatch = { ...overrides, ...clean(rest) };
  if (budgets) merged.budgets = { ...overrides.budgets, ...clean(budgets) };
  return merged;
}

/**
 * Governance revisions (issue #5 §8). Effective settings are the configured defaults with the stored
 * overrides applied, so a field nobody edited still follows the configuration. Revision 0 is the
 * defaults alone. Writers race on the revision number; the store's primary key decides the winner.
 */
export function createGovernanceService(deps: {
  store: GovernanceStore;
  defaults: () => GovernanceSettings;
  presets: () => GovernancePreset[];
  hashes: () => { policyHash: string | null; rulePackHash: string };
  onChange?(revision: GovernanceRevision, previous: GovernanceRevision): void;
  now?: () => Date;
}): GovernanceService {
  const now = deps.now ?? (() => new Date());
  let head: StoredGovernanceRevision | null = null;

  const materialise = (stored: StoredGovernanceRevision | null): GovernanceRevision => {
    if (!stored) return { revision: 0, settings: deps.defaults(), change: {}, updatedAt: new Date(0), updatedBy: null, reason: null };
    return { revision: stored.revision, settings: applyGovernancePatch(deps.defaults(), stored.overrides), change: stored.change, updatedAt: stored.updatedAt, updatedBy: stored.updatedBy, reason: stored.reason };
  };

  const service: GovernanceService = {
    async load() {
      head = await deps.store.latest();
      return materialise(head);
    },
    current: () => materialise(head),
    settings: () => materialise(head).settings,
    async update(update, by) {
      const latest = await deps.store.latest();
      const currentRevision = latest?.revision ?? 0;
      if (update.expectedRevision !== currentRevision) {
        head = latest;
        throw conflict('revision_conflict', `governance is at revision ${currentRevision}, not ${update.expectedRevision}: read it again and retry`);
      }
      const previous = materialise(latest);
      const overrides = mergeOverrides(latest?.overrides ?? {}, update.patch);
      const next: StoredGovernanceRevision = {
        revision: currentRevision + 1,
        overrides,
        change: update.patch,
        settings: applyGovernancePatch(deps.defaults(), overrides),
        updatedAt: now(),
        updatedBy: by,
        reason: update.reason,
      };
      if (!(await deps.store.insert(next))) {
        head = await deps.store.latest();
        throw conflict('revision_conflict', `governance changed concurrently (now at revision ${head?.revision ?? 0}): read it again and retry`);
      }
      head = next;
      const revision = materialise(next);
      deps.onChange?.(revision, previous);
      return revision;
    },
    async history(before, limit) {
      const rows = await deps.store.list(before, limit);
      const list = rows.map((r) => ({ ...materialise(r), settings: r.settings }));
      // Revision 0 (the defaults) closes the history once every stored revision was listed.
      if (rows.length < limit && (before === null || before > 0)) list.push(materialise(null));
      return list;
    },
    async historyCount() {
      return (await deps.store.count()) + 1;
    },
    presets: () => deps.presets(),
    snapshot(presetName) {
      const current = materialise(head);
      let settings = current.settings;
      if (presetName !== null) {
        const preset = deps.presets().find((p) => p.name === presetName);
        if (!preset) throw new GatehouseError('NOT_FOUND', `no governance preset ${JSON.stringify(presetName)}; known: ${deps.presets().map((p) => p.name).join(', ')}`, { type: 'GovernancePreset', id: presetName });
        settings = applyGovernancePatch(settings, preset.patch);
      }
      return { revision: current.revision, preset: presetName, settings, hash: settingsHash(settings) };
    },
    policySetHash(settings = materialise(head).settings) {
      const { policyHash, rulePackHash } = deps.hashes();
      return policySetHashOf({ policyHash, rulePackHash, governanceHash: settingsHash(settings) });
    },
  };
  return service;
}
