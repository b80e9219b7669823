/**
 * Test support for credential-lifter (not loaded by the host, which imports only index.ts).
 *
 * Tests drive lifters the way the engine does — one instance, one event at a time, with the rules
 * that apply to the event's kind — and build those rules from the shipped YAML files, so the files
 * themselves are exercised. Kept inside the plugin on purpose: a plugin folder must stand alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { LifterDefinition, LifterFinding, LifterRule, PluginEvent } from '../../src/plugins/api.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const RULES_DIR = path.join(REPO_ROOT, 'rules/lifters/credential-lifter');

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
export interface TestRule<Params> extends LifterRule<Params> {
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
export function readRuleFiles(dir: string = RULES_DIR): RuleFile[] {
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
export function ruleFile(ruleId: string, dir: string = RULES_DIR): RuleFile {
  const found = readRuleFiles(dir).find((r) => r.doc.rule_id === ruleId);
  if (!found) throw new Error(`no rule file for ${ruleId} in ${dir}`);
  return found;
}

/** Maps a rule document to a LifterRule, passing `match` minus `kind` through the lifter's parseParams. */
export function toTestRule<Params>(lifter: LifterDefinition<Params>, doc: Record<string, unknown>): TestRule<Params> {
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

/** The shipped rule `ruleId`, optionally with some `match` parameters overridden (e.g. a smaller cap). */
export function shippedRule<Params>(lifter: LifterDefinition<Params>, ruleId: string, overrides: Record<string, unknown> = {}): TestRule<Params> {
  const { doc } = ruleFile(ruleId);
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
  rules: readonly TestRule<Params>[],
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

/** Event time used by every test: minutes after a fixed instant, so no test reads the clock. */
export const T0 = Date.parse('2025-03-01T12:00:00.000Z');
export const atMinute = (minutes: number): Date => new Date(T0 + minutes * 60_000);

let counter = 0;

/** An `auth_attempt` event; defaults: ssh, failure, root, 203.0.113.7, a fresh source id. */
export function authAttempt(fields: { minute: number; srcIp?: string; username?: string; service?: string; success?: boolean; id?: string }): PluginEvent {
  counter += 1;
  return {
    sourceKind: 'auth_attempt',
    sourceId: fields.id ?? `auth-${counter}`,
    occurredAt: atMinute(fields.minute),
    attackerId: null,
    sessionId: null,
    host: 'honeypot-1',
    payload: {
      service: fields.service ?? 'ssh',
      username: fields.username ?? 'root',
      success: fields.success ?? false,
      src_ip: fields.srcIp ?? '203.0.113.7',
    },
  };
}

/** `count` failures starting at `fromMinute`, `stepMinutes` apart, with shared fields. */
export function failures(count: number, fromMinute: number, stepMinutes: number, fields: Omit<Parameters<typeof authAttempt>[0], 'minute'> = {}): PluginEvent[] {
  return Array.from({ length: count }, (_, i) => authAttempt({ ...fields, minute: fromMinute + i * stepMinutes, id: undefined }));
}
