import { fileURLToPath } from 'node:url';
import { loadAttackCatalogue } from '../../src/engine/attack/catalogue.ts';
import { parseEventInput } from '../../src/engine/tagging/event-input.ts';
import { loadRules, type RulePack } from '../../src/engine/tagging/load-rules.ts';
import { createRuleEngine, type RuleEngine } from '../../src/engine/tagging/rule-engine.ts';
import type { EffectiveRuleState } from '../../src/engine/tagging/rule-state.ts';
import { BUILT_IN_SOURCE_KINDS } from '../../src/engine/tagging/source-kinds.ts';
import type { PluginEvent } from '../../src/plugins/api.ts';
import type { CommandCorpus } from './command-corpus.ts';

/** The confidence floor a server runs with by default (src/config.ts `confidenceFloor`). */
export const DEFAULT_CONFIDENCE_FLOOR = 0.3;
const RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));
const ENABLED: EffectiveRuleState = { state: 'enabled', confidenceMax: null };
const KINDS = new Map(BUILT_IN_SOURCE_KINDS.map((k) => [k.kind, k]));
const EVENT_TIME = new Date('2026-01-01T00:00:00.000Z');

export interface ShippedPack {
  pack: RulePack;
  /** A fresh engine (own pattern-index memo): every rule enabled, no lifters, the default floor. */
  newEngine(): RuleEngine;
}

/** Loads the shipped `rules/` with the bundled ATT&CK catalogue; throws if any file fails to load. */
export async function loadShippedPack(): Promise<ShippedPack> {
  const pack = await loadRules(RULES_DIR, loadAttackCatalogue());
  if (pack.errors.length > 0) throw new Error(`rules/: ${pack.errors.length} files failed to load, first: ${pack.errors[0]?.path}: ${pack.errors[0]?.problems.join('; ')}`);
  return {
    pack,
    newEngine: () => createRuleEngine({ rules: pack.rules, lifters: [], states: { effective: () => ENABLED }, confidenceFloor: () => DEFAULT_CONFIDENCE_FLOOR }),
  };
}

/** A corpus payload as the engine sees it after ingest validation. */
export function toCommandEvent(sourceId: string, payload: unknown): PluginEvent {
  const [event] = parseEventInput({ sourceKind: 'command', sourceId, payload }, KINDS, EVENT_TIME);
  if (!event) throw new Error(`command event ${sourceId}: parseEventInput returned nothing`);
  return event;
}

/**
 * Tags per corpus row from the pattern rules: what a server with the shipped pack creates for that
 * row (the bundled lifters key on attacker or session, which the bench events do not carry).
 */
export async function corpusTagCounts(shipped: ShippedPack, corpus: CommandCorpus): Promise<number[]> {
  const engine = shipped.newEngine();
  const counts: number[] = [];
  for (const [i, row] of corpus.rows.entries()) counts.push((await engine.evaluate(toCommandEvent(`verdict:${i}`, row.payload))).length);
  return counts;
}
