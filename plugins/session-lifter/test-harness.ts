/**
 * Test support for session-lifter (not loaded by the host, which imports only index.ts).
 *
 * Tests drive lifters the way the engine does — one instance, one event at a time, with the rules
 * that apply to the event's kind — and build those rules from the shipped YAML files, so the files
 * themselves are exercised. The generic part is the test kit's (`gatehouse/testing`); this file
 * binds it to this plugin's rule folder and adds the plugin's event builders.
 */
import path from 'node:path';
import { readRuleFiles as readFiles, ruleFromFile, type FileLifterRule } from 'gatehouse/testing';
import type { LifterDefinition, PluginEvent } from '../../src/plugins/api.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const RULES_DIR = path.join(REPO_ROOT, 'rules/lifters/session-lifter');

export { replay, ruleFile, toTestRule, type Fired, type RuleFile } from 'gatehouse/testing';
export type TestRule<Params> = FileLifterRule<Params>;

/** This plugin's rule files (strict keys). */
export const readRuleFiles = (dir: string = RULES_DIR) => readFiles(dir);

/** The shipped rule `ruleId`, optionally with some `match` parameters overridden (e.g. a smaller cap). */
export function shippedRule<Params>(lifter: LifterDefinition<Params>, ruleId: string, overrides: Record<string, unknown> = {}): TestRule<Params> {
  return ruleFromFile(lifter, RULES_DIR, ruleId, overrides);
}

/** Event time used by every test: minutes after a fixed instant, so no test reads the clock. */
export const T0 = Date.parse('2025-03-01T12:00:00.000Z');
export const atMinute = (minutes: number): Date => new Date(T0 + minutes * 60_000);

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${(counter += 1)}`;

/** Fields every event builder accepts. */
export interface EventFields {
  readonly minute: number;
  readonly id?: string;
  readonly attackerId?: string | null;
  readonly sessionId?: string | null;
  readonly host?: string | null;
}

function base(kind: string, fields: EventFields, payload: Record<string, unknown>): PluginEvent {
  return {
    sourceKind: kind,
    sourceId: fields.id ?? nextId(kind),
    occurredAt: atMinute(fields.minute),
    attackerId: fields.attackerId === undefined ? 'attacker-1' : fields.attackerId,
    sessionId: fields.sessionId === undefined ? 'session-1' : fields.sessionId,
    host: fields.host === undefined ? 'honeypot-1' : fields.host,
    payload,
  };
}

/** A `session` event whose payload lists `commands` (default none). */
export function sessionEvent(fields: EventFields & { commands?: readonly string[]; srcIp?: string }): PluginEvent {
  const start = atMinute(fields.minute);
  return base('session', fields, {
    commands: [...(fields.commands ?? [])],
    started_at: start.toISOString(),
    ended_at: new Date(start.getTime() + 60_000).toISOString(),
    src_ip: fields.srcIp ?? '203.0.113.7',
    username: 'root',
  });
}

/** A `command` event running `text`, optionally in `cwd`. */
export function commandEvent(fields: EventFields & { text: string; cwd?: string }): PluginEvent {
  return base('command', fields, { command_text: fields.text, ...(fields.cwd ? { cwd: fields.cwd } : {}), user: 'root', host: 'honeypot-1' });
}

/** An `http_request` event: GET `url`. */
export function httpRequest(fields: EventFields & { url?: string }): PluginEvent {
  return base('http_request', fields, { method: 'GET', raw_url: fields.url ?? '/api/check', user_agent: 'Mozilla/5.0', headers: {}, status: 200 });
}
