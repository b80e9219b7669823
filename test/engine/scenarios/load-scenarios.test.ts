import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAttackCatalogue } from '../../../src/engine/attack/catalogue.ts';
import { loadScenarioFolder } from '../../../src/engine/scenarios/load-scenarios.ts';
import type { ScenarioLoadError } from '../../../src/engine/scenarios/scenario.ts';

const catalogue = loadAttackCatalogue();
const BROKEN = path.resolve(import.meta.dirname, '../../fixtures/scenarios-broken');

describe('loading a scenarios folder', () => {
  let errors: Map<string, ScenarioLoadError>;
  beforeAll(async () => {
    const folder = await loadScenarioFolder(BROKEN, catalogue);
    expect(folder.scenarios).toEqual([]);
    errors = new Map(folder.errors.map((e) => [e.path, e]));
  });
  const problems = (file: string) => errors.get(file)?.problems;

  it.each([
    ['unknown-key.yaml', ["unknown-key.yaml: unknown key 'colour'"]],
    ['id-mismatch.yaml', ['id-mismatch.yaml: \'id\' must equal the file name "id-mismatch", got "something-else"']],
    ['bad-speed.yaml', ['bad-speed.yaml: \'params.speed\' must be "max", "realtime" or a factor of realtime (a number above 0, at most 1000), got "fast"']],
    ['both-sources.yaml', ['both-sources.yaml: \'events_file\' cannot be combined with inline events; give one of them, got "steps.jsonl"']],
    ['escaping-file.yaml', ['escaping-file.yaml: \'events_file\' must be a path inside the scenarios folder, got "../outside.jsonl"']],
    ['unknown-preset.yaml', ['unknown-preset.yaml: \'governance_preset\' names no known preset; known: default, ok, got "paranoid"']],
    ['decision-on-event.yaml', ['decision-on-event.yaml: \'events[0].expect.decision\' only applies to request steps, got "DENIED"']],
    ['bad-duration.yaml', ['bad-duration.yaml: \'events[0].at\' must be seconds or a duration like "90s", "250ms", "5m", "1h30m", got "5 minutes"']],
    ['neither-step.yaml', ["neither-step.yaml: 'events[0].event' is required unless the step is a request, got nothing"]],
    [
      'unknown-technique.yaml',
      [
        "unknown-technique.yaml: 'events[0].expect.techniques' T9999 is not an ATT&CK Enterprise technique in the vendored catalogue",
        "unknown-technique.yaml: 'events[1].expect.techniques' T1003.999 is not an ATT&CK Enterprise technique in the vendored catalogue",
      ],
    ],
  ])('reports %s with every problem, naming the file and field', (file, expected) => {
    expect(problems(file)).toEqual(expected);
  });

  it('names the line of a malformed events file and checks every line', () => {
    expect(problems('bad-jsonl.yaml')).toEqual([
      expect.stringMatching(/^bad-jsonl\.jsonl:2: is not valid JSON: /),
      'bad-jsonl.jsonl:3: \'expect.decision\' Invalid option: expected one of "APPROVED"|"DENIED"|"PENDING_APPROVAL", got "MAYBE"',
    ]);
  });

  it('reports a file that is not YAML', () => {
    expect(problems('not-yaml.yaml')?.[0]).toMatch(/^not-yaml\.yaml: is not valid YAML: /);
  });

  it('refuses to redefine the built-in preset and unknown tactics, keeping the valid presets', async () => {
    expect(problems('presets/governance.yaml')).toEqual([
      "presets/governance.yaml: 'presets.default' \"default\" is built in and cannot be redefined",
      "presets/governance.yaml: 'presets.loud.blocked_tactics' not ATT&CK Enterprise tactics: TA9999",
    ]);
    expect((await loadScenarioFolder(BROKEN, catalogue)).presets.map((p) => [p.name, p.patch])).toEqual([
      ['default', {}],
      ['ok', { tagDenyThreshold: 0.4 }],
    ]);
  });
});

describe('a scenario that loads', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-scen-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('applies defaults, resolves times, orders steps by time (stable) and numbers default source ids', async () => {
    await writeFile(
      path.join(dir, 'order.yaml'),
      `id: order
name: Order
start_at: 2026-05-01T00:00:00Z
events:
  - at: 1m
    event: { source_kind: command, payload: { command_text: second } }
  - at: 0
    event: { source_kind: command, source_id: mine, payload: { command_text: first } }
  - event: { source_kind: command, payload: { command_text: same time as the first } }
  - occurred_at: 2026-05-01T00:00:30Z
    request: { agent: a, role: developer, spec_id: S, action: read_file, params: { path: x } }
    as: { agent: b, roles: [developer, reviewer] }
    expect: { decision: DENIED }
`,
    );
    const folder = await loadScenarioFolder(dir, catalogue);
    expect(folder.errors).toEqual([]);
    const s = folder.scenarios[0];
    expect(s).toMatchObject({ id: 'order', description: '', tags: [], runtimeHint: 'small', components: ['tagger', 'store', 'gateway'], governancePreset: null, labelsComplete: false, eventsFile: null, overlaid: false });
    expect(s?.params).toEqual({ ticksTotal: null, eventsPerTick: 10, speed: 'max', metricsEnabled: true, loggingEnabled: true });
    expect(s?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(s?.steps.map((x) => [x.index, x.at.toISOString(), x.type === 'event' ? x.event.sourceId : x.tokenAgent])).toEqual([
      [0, '2026-05-01T00:00:00.000Z', 'mine'],
      [1, '2026-05-01T00:00:00.000Z', 'order-3'],
      [2, '2026-05-01T00:00:30.000Z', 'b'],
      [3, '2026-05-01T00:01:00.000Z', 'order-1'],
    ]);
    expect(s?.steps[2]).toMatchObject({ type: 'request', tokenRoles: ['developer', 'reviewer'], expect: { techniques: [], decision: 'DENIED' }, origin: 'order.yaml events[3]' });
  });

  it('refuses an events file that is a symlink leading out of the folder', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'gatehouse-outside-'));
    await writeFile(path.join(outside, 'secret.jsonl'), '{"event":{"source_kind":"command","payload":{"command_text":"ls"}}}\n');
    const scen = await mkdtemp(path.join(tmpdir(), 'gatehouse-scen-link-'));
    await symlink(path.join(outside, 'secret.jsonl'), path.join(scen, 'steps.jsonl'));
    await writeFile(path.join(scen, 'linked.yaml'), 'id: linked\nname: Linked\nevents_file: steps.jsonl\n');
    const folder = await loadScenarioFolder(scen, catalogue);
    expect(folder.errors.map((e) => e.problems)).toEqual([["linked.yaml: 'events_file' resolves outside the scenarios folder (a symlink?), got \"steps.jsonl\""]]);
    await rm(outside, { recursive: true, force: true });
    await rm(scen, { recursive: true, force: true });
  });

  it('reports two files declaring the same id, naming both', async () => {
    const scen = await mkdtemp(path.join(tmpdir(), 'gatehouse-scen-dup-'));
    await cp(path.join(dir, 'order.yaml'), path.join(scen, 'order.yaml'));
    await cp(path.join(dir, 'order.yaml'), path.join(scen, 'order.yml'));
    const folder = await loadScenarioFolder(scen, catalogue);
    expect(folder.scenarios.map((s) => s.sourcePath)).toEqual(['order.yaml']);
    expect(folder.errors.map((e) => e.problems)).toEqual([['order.yml: id order is already defined by order.yaml']]);
    await rm(scen, { recursive: true, force: true });
  });
});
