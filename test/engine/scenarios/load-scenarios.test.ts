import { cp, mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAttackCatalogue } from '../../../src/engine/attack/catalogue.ts';
import { loadScenarioFile, loadScenarioFolder, MAX_EVENTS_FILE_BYTES, type ScenarioFolder } from '../../../src/engine/scenarios/load-scenarios.ts';
import { ScenarioFileError } from '../../../src/engine/scenarios/parse-scenario.ts';

const catalogue = loadAttackCatalogue();
const BROKEN = path.resolve(import.meta.dirname, '../../fixtures/scenarios-broken');
const T1003_SUBS = 'T1003.001, T1003.002, T1003.003, T1003.004, T1003.005, T1003.006, T1003.007, T1003.008';

describe('loading the folder of broken scenario fixtures', () => {
  let folder: ScenarioFolder;
  beforeAll(async () => {
    folder = await loadScenarioFolder(BROKEN, catalogue);
  });
  const problems = (file: string) => folder.errors.find((e) => e.path === file)?.problems;

  it('loads none of them and reports every file, in file-name order', () => {
    expect(folder.scenarios).toEqual([]);
    expect(folder.errors.map((e) => e.path)).toEqual([
      'absolute-file.yaml',
      'bad-duration.yaml',
      'bad-jsonl.yaml',
      'bad-speed.yaml',
      'both-sources.yaml',
      'decision-on-event.yaml',
      'escaping-file.yaml',
      'id-mismatch.yaml',
      'neither-step.yaml',
      'not-jsonl.yaml',
      'not-yaml.yaml',
      'subtechnique-typo.yaml',
      'symlink-escape.yaml',
      'unknown-key.yaml',
      'unknown-preset.yaml',
      'unknown-technique.yaml',
    ]);
  });

  it.each([
    ['unknown-key.yaml', ["unknown-key.yaml: unknown key 'colour'"]],
    ['id-mismatch.yaml', ['id-mismatch.yaml: \'id\' must equal the file name "id-mismatch", got "something-else"']],
    ['bad-speed.yaml', ['bad-speed.yaml: \'params.speed\' must be "max", "realtime" or a factor of realtime (a number above 0, at most 1000), got "fast"']],
    ['both-sources.yaml', ['both-sources.yaml: \'events_file\' cannot be combined with inline events; give one of them, got "steps.jsonl"']],
    ['escaping-file.yaml', ['escaping-file.yaml: \'events_file\' must be a path inside the scenarios folder, got "../outside.jsonl"']],
    ['absolute-file.yaml', ['absolute-file.yaml: \'events_file\' must be a path inside the scenarios folder, got "/tmp/steps.jsonl"']],
    ['not-jsonl.yaml', ['not-jsonl.yaml: \'events_file\' must name a .jsonl file, got "steps.json"']],
    ['symlink-escape.yaml', ['symlink-escape.yaml: \'events_file\' resolves outside the scenarios folder (a symlink?), got "linked-outside.jsonl"']],
    ['unknown-preset.yaml', ['unknown-preset.yaml: \'governance_preset\' names no known preset; known: default, ok, got "paranoid"']],
    ['decision-on-event.yaml', ['decision-on-event.yaml: \'events[0].expect.decision\' only applies to request steps, got "DENIED"']],
    ['bad-duration.yaml', ['bad-duration.yaml: \'events[0].at\' must be seconds or a duration like "90s", "250ms", "5m", "1h30m", got "5 minutes"']],
    ['neither-step.yaml', ["neither-step.yaml: 'events[0].event' is required unless the step is a request, got nothing"]],
    ['subtechnique-typo.yaml', ['subtechnique-typo.yaml: \'events[0].expect.techniques[1]\' must be a technique id like "T1110" or "T1110.001", got "T1110.01"']],
    [
      'unknown-technique.yaml',
      [
        'unknown-technique.yaml: \'events[0].expect.techniques[0]\' must be a technique of ATT&CK Enterprise 18.1 (the vendored catalogue), got "T9999"',
        `unknown-technique.yaml: 'events[1].expect.techniques[0]' must be a technique of ATT&CK Enterprise 18.1 (the vendored catalogue); T1003 (OS Credential Dumping) has ${T1003_SUBS}, got "T1003.999"`,
      ],
    ],
  ])('reports %s with every problem, naming the file and the field', (file, expected) => {
    expect(problems(file)).toEqual(expected);
  });

  it('names the line of a malformed events file and checks every other line', () => {
    expect(problems('bad-jsonl.yaml')).toEqual([
      'bad-jsonl.jsonl:2: is not valid JSON: Expected double-quoted property name in JSON at position 36',
      "bad-jsonl.jsonl:3: 'expect.decision' must be one of APPROVED, DENIED, PENDING_APPROVAL, got \"MAYBE\"",
    ]);
  });

  it('reports a file that is not YAML, with the parser’s first line', () => {
    expect(problems('not-yaml.yaml')).toEqual(['not-yaml.yaml: is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1:']);
  });

  it('keeps the declared id on a failed file so the registry can name the scenario', () => {
    expect(folder.errors.find((e) => e.path === 'symlink-escape.yaml')?.scenarioId).toBe('symlink-escape');
    expect(folder.errors.find((e) => e.path === 'not-yaml.yaml')?.scenarioId).toBeNull();
  });

  it('refuses to redefine the built-in preset and unknown tactics, keeping the valid presets', () => {
    expect(folder.presetErrors).toEqual([
      {
        path: 'presets/governance.yaml',
        scenarioId: null,
        problems: [
          "presets/governance.yaml: 'presets.default' \"default\" is built in and cannot be redefined",
          "presets/governance.yaml: 'presets.loud.blocked_tactics' not ATT&CK Enterprise tactics: TA9999",
        ],
      },
    ]);
    expect(folder.presets).toEqual([
      { name: 'default', description: 'the current governance, unchanged', patch: {}, source: 'built-in' },
      { name: 'ok', description: 'fine', patch: { tagDenyThreshold: 0.4 }, source: 'presets/governance.yaml' },
    ]);
  });
});

describe('loading scenario files', () => {
  let dir: string;
  const step = '{"event":{"source_kind":"command","payload":{"command_text":"ls"}}}\n';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-scen-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('skips dot and underscore files and files in subfolders, and reads .yml as well as .yaml', async () => {
    const scen = await mkdtemp(path.join(dir, 'names-'));
    const text = (id: string) => `id: ${id}\nname: ${id}\nevents:\n  - event: { source_kind: command, payload: { command_text: ls } }\n`;
    await writeFile(path.join(scen, 'b.yml'), text('b'));
    await writeFile(path.join(scen, 'a.yaml'), text('a'));
    await writeFile(path.join(scen, '.draft.yaml'), text('draft'));
    await writeFile(path.join(scen, '_wip.yaml'), text('wip'));
    await mkdir(path.join(scen, 'nested'));
    await writeFile(path.join(scen, 'nested', 'c.yaml'), text('c'));
    const folder = await loadScenarioFolder(scen, catalogue);
    expect(folder.errors).toEqual([]);
    expect(folder.scenarios.map((s) => [s.id, s.sourcePath])).toEqual([
      ['a', 'a.yaml'],
      ['b', 'b.yml'],
    ]);
  });

  it('reads an events file in a subfolder and names its lines in origins', async () => {
    const scen = await mkdtemp(path.join(dir, 'sub-'));
    await mkdir(path.join(scen, 'data'));
    await writeFile(path.join(scen, 'data', 'steps.jsonl'), `\n${step}\n${step}`);
    await writeFile(path.join(scen, 'sub.yaml'), 'id: sub\nname: Sub\nevents_file: data/steps.jsonl\n');
    const [s] = (await loadScenarioFolder(scen, catalogue)).scenarios;
    expect(s?.eventsFile).toBe('data/steps.jsonl');
    expect(s?.steps.map((x) => x.origin)).toEqual(['data/steps.jsonl:2', 'data/steps.jsonl:4']);
  });

  it('refuses an events file over 64 MiB without reading it', async () => {
    const scen = await mkdtemp(path.join(dir, 'big-'));
    await writeFile(path.join(scen, 'big.jsonl'), '');
    await truncate(path.join(scen, 'big.jsonl'), MAX_EVENTS_FILE_BYTES + 1); // sparse: no 64 MiB written
    await writeFile(path.join(scen, 'big.yaml'), 'id: big\nname: Big\nevents_file: big.jsonl\n');
    const folder = await loadScenarioFolder(scen, catalogue);
    expect(folder.errors.map((e) => e.problems)).toEqual([[`big.yaml: 'events_file' is 67108865 bytes; the limit is 67108864 (64 MiB), got "big.jsonl"`]]);
  });

  it('reports a missing events file together with the other problems of the YAML', async () => {
    const scen = await mkdtemp(path.join(dir, 'missing-'));
    await writeFile(path.join(scen, 'missing.yaml'), 'id: missing\nname: Missing\nruntime_hint: huge\nevents_file: nowhere.jsonl\n');
    const folder = await loadScenarioFolder(scen, catalogue);
    expect(folder.errors.map((e) => e.problems)).toEqual([
      ['missing.yaml: \'runtime_hint\' must be one of tiny, small, full, got "huge"', 'missing.yaml: \'events_file\' names a file that does not exist, got "nowhere.jsonl"'],
    ]);
  });

  it('reports two files declaring the same id, naming both, and keeps the first', async () => {
    const scen = await mkdtemp(path.join(dir, 'dup-'));
    await writeFile(path.join(scen, 'order.yaml'), 'id: order\nname: Order\nevents:\n  - event: { source_kind: command, payload: { command_text: ls } }\n');
    await cp(path.join(scen, 'order.yaml'), path.join(scen, 'order.yml'));
    const folder = await loadScenarioFolder(scen, catalogue);
    expect(folder.scenarios.map((s) => s.sourcePath)).toEqual(['order.yaml']);
    expect(folder.errors).toEqual([{ path: 'order.yml', scenarioId: 'order', problems: ['order.yml: id order is already defined by order.yaml'] }]);
  });

  it('treats a missing folder as one without scenarios, with the built-in preset', async () => {
    const folder = await loadScenarioFolder(path.join(dir, 'does-not-exist'), catalogue);
    expect(folder).toEqual({ scenarios: [], errors: [], presetErrors: [], presets: [{ name: 'default', description: 'the current governance, unchanged', patch: {}, source: 'built-in' }] });
  });

  it('loads a single file from anywhere, with its events file resolved beside it', async () => {
    const elsewhere = await mkdtemp(path.join(dir, 'replay-'));
    await writeFile(path.join(elsewhere, 'steps.jsonl'), step);
    await writeFile(path.join(elsewhere, 'one-off.yaml'), 'id: one-off\nname: One off\nevents_file: steps.jsonl\n');
    const s = await loadScenarioFile(path.join(elsewhere, 'one-off.yaml'), { catalogue, presets: new Set(['default']) });
    expect(s).toMatchObject({ id: 'one-off', sourcePath: 'one-off.yaml', eventsFile: 'steps.jsonl' });
    expect(s.steps[0]?.origin).toBe('steps.jsonl:1');
  });

  it('throws a ScenarioFileError with all problems for a single broken file', async () => {
    const err = await loadScenarioFile(path.join(BROKEN, 'unknown-technique.yaml'), { catalogue, presets: new Set(['default']) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioFileError);
    expect((err as ScenarioFileError).problems.map((p) => p.field)).toEqual(['events[0].expect.techniques[0]', 'events[1].expect.techniques[0]']);
    expect((err as ScenarioFileError).scenarioId).toBe('unknown-technique');
  });
});
