import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadAttackCatalogue } from '../../../src/engine/attack/catalogue.ts';
import { offsetSeconds, parseScenario, ScenarioFileError, type ParseScenarioOptions } from '../../../src/engine/scenarios/parse-scenario.ts';

const catalogue = loadAttackCatalogue();
const options = (extra: Partial<ParseScenarioOptions> = {}): ParseScenarioOptions => ({ file: 'order.yaml', presets: new Set(['default', 'strict']), catalogue, ...extra });
const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ScenarioFileError) return err.message.split('\n');
    throw err;
  }
  return [];
};

const ORDER = `id: order
name: Order
start_at: 2026-05-01T00:00:00Z
events:
  - at: 1m
    event: { source_kind: command, payload: { command_text: second } }
  - at: 0
    event: { source_kind: command, source_id: mine, payload: { command_text: first } }
  - event: { source_kind: command, payload: { command_text: same time as the one before } }
  - occurred_at: 2026-05-01T00:00:30Z
    request: { agent: a, role: developer, spec_id: S, action: read_file, params: { path: x } }
    as: { agent: b, roles: [developer, reviewer] }
    expect: { decision: DENIED }
  - at: 45s
    request: { agent: c, role: reviewer, spec_id: S, action: list_dir }
    expect: { techniques: [T1083, T1083] }
`;

describe('parsing a scenario', () => {
  it('applies the file defaults', () => {
    const s = parseScenario('id: order\nname: Order\nevents:\n  - event: { source_kind: command, payload: { command_text: ls } }\n', options());
    expect(s).toMatchObject({
      id: 'order',
      description: '',
      tags: [],
      runtimeHint: 'small',
      components: ['tagger', 'store'],
      governancePreset: null,
      labelsComplete: false,
      startAt: new Date('2026-01-01T00:00:00Z'),
      sourcePath: 'order.yaml',
      eventsFile: null,
      overlaid: false,
    });
    expect(s.params).toEqual({ ticksTotal: null, eventsPerTick: 10, speed: 'max', metricsEnabled: true, loggingEnabled: true });
    expect(s.steps[0]).toMatchObject({ index: 0, expect: null, origin: 'order.yaml events[0]' });
  });

  it('orders steps by time (stable), renumbers them and numbers default source ids by file position', () => {
    const s = parseScenario(ORDER, options());
    expect(s.steps.map((x) => [x.index, x.at.toISOString(), x.type === 'event' ? x.event.sourceId : x.tokenAgent, x.origin])).toEqual([
      [0, '2026-05-01T00:00:00.000Z', 'mine', 'order.yaml events[1]'],
      [1, '2026-05-01T00:00:00.000Z', 'order-3', 'order.yaml events[2]'],
      [2, '2026-05-01T00:00:30.000Z', 'b', 'order.yaml events[3]'],
      [3, '2026-05-01T00:00:45.000Z', 'c', 'order.yaml events[4]'],
      [4, '2026-05-01T00:01:00.000Z', 'order-1', 'order.yaml events[0]'],
    ]);
    const first = s.steps[4];
    expect(first?.type === 'event' && first.event).toEqual({ sourceKind: 'command', sourceId: 'order-1', occurredAt: new Date('2026-05-01T00:01:00Z'), attackerId: null, sessionId: null, host: null, payload: { command_text: 'second' } });
  });

  it('binds the simulated token to the request’s own agent and role unless `as` says otherwise', () => {
    const [, , impersonated, own] = parseScenario(ORDER, options()).steps;
    expect(impersonated).toMatchObject({ type: 'request', tokenAgent: 'b', tokenRoles: ['developer', 'reviewer'], expect: { techniques: [], decision: 'DENIED' } });
    expect(own).toMatchObject({ type: 'request', tokenAgent: 'c', tokenRoles: ['reviewer'], request: { agent: 'c', role: 'reviewer', specId: 'S', action: 'list_dir', params: {}, rationale: null } });
    expect(own?.expect).toEqual({ techniques: ['T1083'], decision: null });
  });

  it('adds the gateway to the default components when a step is a request', () => {
    expect(parseScenario(ORDER, options()).components).toEqual(['tagger', 'store', 'gateway']);
    expect(parseScenario(ORDER.replace('name: Order', 'name: Order\ncomponents: [tagger, lifters]'), options()).components).toEqual(['tagger', 'lifters']);
  });

  it.each([
    [0, 0],
    [90, 90],
    [1.5, 1.5],
    ['90s', 90],
    ['250ms', 0.25],
    ['5m', 300],
    ['1h30m', 5400],
    ['1h', 3600],
    ['2m30s', 150],
    ['1m0.5s', 60.5],
    ['1h2m3s4ms', 3723.004],
  ])('reads the offset %j as %d seconds', (at, seconds) => {
    expect(offsetSeconds(at)).toBeCloseTo(seconds, 9);
  });

  it('refuses offsets that are negative, empty or out of order, naming the step', () => {
    const text = (at: string) => `id: order\nname: Order\nevents:\n  - at: ${at}\n    event: { source_kind: command, payload: { command_text: ls } }\n`;
    expect(problemsOf(() => parseScenario(text('-5'), options()))).toEqual(["order.yaml: 'events[0].at' must be 0 or more seconds, got -5"]);
    expect(problemsOf(() => parseScenario(text('""'), options()))).toEqual(["order.yaml: 'events[0].at' must not be empty, got \"\""]);
    expect(problemsOf(() => parseScenario(text('30m1h'), options()))).toEqual(['order.yaml: \'events[0].at\' must be seconds or a duration like "90s", "250ms", "5m", "1h30m", got "30m1h"']);
  });

  it('refuses a step with both at and occurred_at, an as on an event, and a bad instant', () => {
    const text = `id: order
name: Order
start_at: yesterday
events:
  - at: 1s
    occurred_at: 2026-01-01T00:00:00Z
    event: { source_kind: command, payload: { command_text: ls } }
    as: { agent: x, roles: [developer] }
`;
    expect(problemsOf(() => parseScenario(text, options()))).toEqual(['order.yaml: \'start_at\' must be an ISO 8601 instant such as "2026-01-01T00:00:00Z", got "yesterday"']);
    expect(problemsOf(() => parseScenario(text.replace('start_at: yesterday\n', ''), options()))).toEqual([
      'order.yaml: \'events[0].occurred_at\' cannot be combined with at; give one, got "2026-01-01T00:00:00Z"',
      "order.yaml: 'events[0].as' only applies to request steps, got {\"agent\":\"x\",\"roles\":[\"developer\"]}",
    ]);
  });

  it('refuses a scenario without steps', () => {
    expect(problemsOf(() => parseScenario('id: order\nname: Order\nevents: []\n', options()))).toEqual(["order.yaml: 'events' has no steps"]);
  });

  it('accepts a known preset and checks the id against the file name unless told not to', () => {
    const text = ORDER.replace('name: Order', 'name: Order\ngovernance_preset: strict');
    expect(parseScenario(text, options()).governancePreset).toBe('strict');
    expect(problemsOf(() => parseScenario(text, options({ file: 'other.yaml' })))).toEqual(['other.yaml: \'id\' must equal the file name "other", got "order"']);
    expect(parseScenario(text, options({ file: 'other.yaml', expectedId: null })).id).toBe('order');
  });

  it('reads steps from the events text, skipping blank lines and naming lines in origins', () => {
    const eventsText = '{"at":"2s","event":{"source_kind":"command","payload":{"command_text":"b"}}}\r\n\n{"at":1,"event":{"source_kind":"command","payload":{"command_text":"a"}},"expect":{"techniques":[]}}\n';
    const s = parseScenario('id: order\nname: Order\nevents_file: order.jsonl\n', options({ eventsText, eventsFile: 'order.jsonl' }));
    expect(s.eventsFile).toBe('order.jsonl');
    expect(s.steps.map((x) => [x.origin, x.type === 'event' && x.event.sourceId, x.expect])).toEqual([
      ['order.jsonl:3', 'order-2', { techniques: [], decision: null }],
      ['order.jsonl:1', 'order-1', null],
    ]);
  });

  it('reports every problem of every step at once, up to fifty, then counts the rest', () => {
    const lines = Array.from({ length: 60 }, () => '{"event":{"source_kind":"command"}}').join('\n');
    const problems = problemsOf(() => parseScenario('id: order\nname: Order\nevents_file: order.jsonl\n', options({ eventsText: lines, eventsFile: 'order.jsonl' })));
    expect(problems).toHaveLength(51);
    expect(problems[0]).toBe("order.jsonl:1: 'event.payload' is required");
    expect(problems[50]).toBe('order.yaml: and 10 more problems in its steps');
  });

  it('hashes the YAML text and the events text, so editing either changes the hash', () => {
    const yaml = 'id: order\nname: Order\nevents_file: order.jsonl\n';
    const eventsText = '{"event":{"source_kind":"command","payload":{"command_text":"ls"}}}\n';
    const s = parseScenario(yaml, options({ eventsText }));
    expect(s.hash).toBe(createHash('sha256').update(`${yaml}\n${eventsText}`).digest('hex'));
    expect(parseScenario(yaml, options({ eventsText: `${eventsText}\n` })).hash).not.toBe(s.hash);
    expect(parseScenario(ORDER, options()).hash).toBe(createHash('sha256').update(`${ORDER}\n`).digest('hex'));
  });
});
