/**
 * Tests for the example lifter, written as a template too. They drive the lifter exactly as the
 * engine does — `create()` once, then `process({ event, rules })` per event — with the rule built
 * from the shipped YAML file, so a broken rule file fails here first.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { LifterFinding, LifterRule, PluginEvent } from '../../src/plugins/api.ts';
import { commandBurstLifter, MAX_TRACKED_ATTACKERS, parseCommandBurstParams, type CommandBurstParams } from './command-burst.ts';
import plugin from './index.ts';

const RULE_FILE = path.resolve(import.meta.dirname, '../../rules/lifters/example-lifter/R3901-command-burst.yaml');

/** R3901 as the engine would hand it over: `match` minus `kind` goes through parseParams. */
function loadRule(): LifterRule<CommandBurstParams> {
  const doc = parse(readFileSync(RULE_FILE, 'utf8')) as {
    rule_id: string;
    rule_version: number;
    match: { kind: string } & Record<string, unknown>;
    emits: { tactic: string; technique_id: string; sub_technique_id?: string; confidence: number }[];
  };
  const { kind, ...params } = doc.match;
  return {
    ruleId: doc.rule_id,
    ruleVersion: doc.rule_version,
    kind,
    params: commandBurstLifter.parseParams(params, kind),
    emits: doc.emits.map((e) => ({ tactic: e.tactic, techniqueId: e.technique_id, subTechniqueId: e.sub_technique_id ?? null, confidence: e.confidence })),
  };
}

const T0 = Date.parse('2025-03-01T12:00:00.000Z');

/** A `command` event at `second` seconds after T0. Event time is all a lifter may use. */
function command(second: number, text: string, attackerId = 'attacker-1', id = `cmd-${attackerId}-${second}-${text}`): PluginEvent {
  return {
    sourceKind: 'command',
    sourceId: id,
    occurredAt: new Date(T0 + second * 1000),
    attackerId,
    sessionId: 'session-1',
    host: 'honeypot-1',
    payload: { command_text: text },
  };
}

/** Feeds events to one fresh instance and returns each finding with the id of the event it came from. */
async function run(events: readonly PluginEvent[], between?: () => void): Promise<(LifterFinding & { sourceId: string })[]> {
  const instance = commandBurstLifter.create();
  const rules = [loadRule()];
  const out: (LifterFinding & { sourceId: string })[] = [];
  for (const event of events) {
    for (const finding of await instance.process({ event, rules })) out.push({ sourceId: event.sourceId, ...finding });
    between?.();
  }
  return out;
}

/** `count` different commands, `step` seconds apart. */
const distinct = (count: number, step: number, attackerId = 'attacker-1', from = 0) =>
  Array.from({ length: count }, (_, i) => command(from + i * step, `cat /etc/file-${i}`, attackerId));

afterEach(() => {
  vi.useRealTimers();
});

describe('example-lifter', () => {
  it('declares its one lifter in the manifest', () => {
    expect(plugin.provides?.lifters).toEqual([commandBurstLifter.id]);
    expect(plugin.lifters).toEqual([commandBurstLifter]);
  });

  it('fires once when fifteen different commands arrive within a minute', async () => {
    const events = distinct(20, 2);
    const fired = await run(events);
    expect(fired).toEqual([
      {
        sourceId: events[14]?.sourceId,
        ruleId: 'R3901',
        evidence: {
          attackerId: 'attacker-1',
          distinctCommands: 15,
          windowSeconds: 60,
          firstAt: '2025-03-01T12:00:00.000Z',
          lastAt: '2025-03-01T12:00:28.000Z',
          sample: ['cat /etc/file-0', 'cat /etc/file-1', 'cat /etc/file-2', 'cat /etc/file-3', 'cat /etc/file-4'],
        },
      },
    ]);
  });

  it('does not fire when the same command is repeated', async () => {
    const events = Array.from({ length: 40 }, (_, i) => command(i, 'ls -la', 'attacker-1', `repeat-${i}`));
    expect(await run(events)).toEqual([]);
  });

  it('does not fire when the same commands are spread over ten minutes', async () => {
    expect(await run(distinct(20, 30))).toEqual([]);
  });

  it('counts each attacker separately', async () => {
    expect(await run([...distinct(10, 1, 'a'), ...distinct(10, 1, 'b')])).toEqual([]);
  });

  it('gives the same findings when the same events are replayed at a different wall-clock pace', async () => {
    const events = [...distinct(16, 3, 'a'), ...distinct(30, 1, 'b', 100)];
    const fast = await run(events);
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2035-01-01T00:00:00Z'));
    const slow = await run(events, () => vi.advanceTimersByTime(60 * 60_000));
    expect(fast).toHaveLength(3);
    expect(slow).toEqual(fast);
  });

  it(`forgets the least recently seen attacker beyond ${MAX_TRACKED_ATTACKERS} attackers`, async () => {
    const crowd = Array.from({ length: MAX_TRACKED_ATTACKERS }, (_, i) => command(20, 'id', `crowd-${i}`));
    const events = [...distinct(14, 1, 'a'), ...crowd, command(30, 'uname -a', 'a')];
    expect(await run(events)).toEqual([]);
  });

  it('rejects an unknown parameter and a wrong value with exact messages', () => {
    expect(() => parseCommandBurstParams({ min_distinct_commands: 15, window_secs: 60 }, 'lifter:command-burst')).toThrow(
      new Error("lifter:command-burst: unknown parameter 'window_secs' (known parameters: min_distinct_commands, window_seconds)"),
    );
    expect(() => parseCommandBurstParams({ min_distinct_commands: 'many', window_seconds: 60 }, 'lifter:command-burst')).toThrow(
      new Error(`lifter:command-burst: 'min_distinct_commands' must be an integer from 2 to 1000, got "many"`),
    );
    expect(() => parseCommandBurstParams({ min_distinct_commands: 15 }, 'lifter:command-burst')).toThrow(
      new Error("lifter:command-burst: 'window_seconds' must be an integer from 1 to 3600, got nothing"),
    );
  });
});
