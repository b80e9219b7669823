/**
 * Test support for credential-lifter (not loaded by the host, which imports only index.ts).
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
export const RULES_DIR = path.join(REPO_ROOT, 'rules/lifters/credential-lifter');

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
