import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { LifterDefinition, LifterFinding, LifterRule, PluginEvent } from '../plugins/api.ts';

/**
 * Lifter tests from a plugin's own rule files (part of the test kit, `gatehouse/testing`): read the
 * YAML rules a lifter owns, turn them into the `LifterRule`s the engine would pass (parameters through
 * the lifter's `parseParams`), and replay events through one fresh instance the way the engine does —
 * one event at a time, with the rules that apply to the event's kind — so the shipped files themselves
 * are exercised.
 */
const RULE_KEYS = ['rule_id', 'rule_version', 'name', 'description', 'applies_to', 'match', 'emits', 'evidence_fields'];
const EMIT_KEYS = ['tactic', 'technique_id', 'sub_technique_id', 'confidence'];

/** A rule file as the tests need it: the raw document plus where it came from. */
export interface RuleFile {
  readonly file: string;
  /** The first line, which must point editors at the rule JSON Schema. */
  readonly firstLine: string;
  readonly doc: Record<string, unknown>;
}

/** A LifterRule plus the `applies_to` the engine would filter on. */
export interface FileLifterRule<Params> extends LifterRule<Params> {
  readonly appliesTo: readonly string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function assertKeys(where: string, value: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`${where}: expected a mapping`);
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new Error(`${where}: unknown keys ${unknown.join(', ')}`);
  return value;
}

/** Reads every rule file in `dir`, checking the top-level and emit keys strictly. */
export function readRuleFiles(dir: string): RuleFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => {
      const file = path.join(dir, name);
      const text = readFileSync(file, 'utf8');
      const doc = assertKeys(name, parse(text), RULE_KEYS);
      if (!Array.isArray(doc.emits)) throw new Error(`${name}: 'emits' must be a list`);
      doc.emits.forEach((emit, i) => assertKeys(`${name} emits[${i}]`, emit, EMIT_KEYS));
      return { file, firstLine: text.split('\n')[0] ?? '', doc };
    });
}

/** Finds the rule file for `ruleId`. */
export function ruleFile(ruleId: string, dir: string): RuleFile {
  const found = readRuleFiles(dir).find((r) => r.doc.rule_id === ruleId);
  if (!found) throw new Error(`no rule file for ${ruleId} in ${dir}`);
  return found;
}

/** Maps a rule document to a LifterRule, passing `match` minus `kind` through the lifter's parseParams. */
export function toTestRule<Params>(lifter: LifterDefinition<Params>, doc: Record<string, unknown>): FileLifterRule<Params> {
  if (!isRecord(doc.match)) throw new Error(`${String(doc.rule_id)}: 'match' must be a mapping`);
  const { kind, ...params } = doc.match;
  if (typeof kind !== 'string' || !lifter.owns.includes(kind)) throw new Error(`${String(doc.rule_id)}: ${lifter.id} does not own ${String(kind)}`);
  const emits = (doc.emits as Record<string, unknown>[]).map((e) => ({
    tactic: String(e.tactic),
    techniqueId: String(e.technique_id),
    subTechniqueId: typeof e.sub_technique_id === 'string' ? e.sub_technique_id : null,
    confidence: Number(e.confidence),
  }));
  return {
    ruleId: String(doc.rule_id),
    ruleVersion: Number(doc.rule_version),
    kind,
    params: lifter.parseParams(params, kind),
    emits,
    appliesTo: doc.applies_to as string[],
  };
}

/** Rule `ruleId` from `dir`, optionally with some `match` parameters overridden (e.g. a smaller cap). */
export function ruleFromFile<Params>(lifter: LifterDefinition<Params>, dir: string, ruleId: string, overrides: Record<string, unknown> = {}): FileLifterRule<Params> {
  const { doc } = ruleFile(ruleId, dir);
  return toTestRule(lifter, { ...doc, match: { ...(doc.match as Record<string, unknown>), ...overrides } });
}

/** A finding together with the event it was returned for. */
export interface Fired extends LifterFinding {
  readonly sourceId: string;
}

/**
 * Feeds `events` in order to one fresh instance, with each event's applicable rules, and collects
 * the findings. `between` runs after each event (tests use it to move the wall clock).
 */
export async function replay<Params>(
  lifter: LifterDefinition<Params>,
  rules: readonly FileLifterRule<Params>[],
  events: readonly PluginEvent[],
  between?: () => void,
): Promise<Fired[]> {
  const instance = lifter.create();
  const fired: Fired[] = [];
  for (const event of events) {
    const applicable = rules.filter((r) => r.appliesTo.includes(event.sourceKind));
    for (const finding of await instance.process({ event, rules: applicable })) fired.push({ sourceId: event.sourceId, ...finding });
    between?.();
  }
  return fired;
}
