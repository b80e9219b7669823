import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAttackCatalogue } from '../../../src/engine/attack/catalogue.ts';
import { parseScenarioOverlay } from '../../../src/engine/scenarios/scenario-overlay.ts';
import { createScenarioRegistry, type ScenarioReload, type ScenarioRegistry } from '../../../src/engine/scenarios/scenario-registry.ts';
import type { ScenarioOverlay } from '../../../src/engine/scenarios/scenario.ts';
import { eventually } from '../../helpers/tagging.ts';

const catalogue = loadAttackCatalogue();
/** Hot reload is debounced by 250 ms; this is the most a test waits for one change to apply. */
const DEADLINE_MS = 2500;
const scenarioText = (id: string, name: string, extra = '') => `id: ${id}
name: ${name}
${extra}events:
  - at: 0
    event: { source_kind: command, payload: { command_text: cat /etc/shadow } }
    expect: { techniques: [T1003.008] }
  - at: 90s
    event: { source_kind: command, payload: { command_text: ls } }
`;

describe('the scenario registry', () => {
  let dir: string;
  let registry: ScenarioRegistry;
  let stop: () => void = () => {};
  const overlays = new Map<string, ScenarioOverlay>();
  const reloads: ScenarioReload[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-registry-'));
    overlays.clear();
    reloads.length = 0;
    registry = createScenarioRegistry({ dir, catalogue, overlay: (id) => overlays.get(id), onReload: (r) => reloads.push(r) });
  });
  afterEach(async () => {
    stop();
    stop = () => {};
    await rm(dir, { recursive: true, force: true });
  });

  it('starts empty, with the built-in preset, until the first reload', async () => {
    expect(registry.list()).toEqual([]);
    expect(registry.presetNames()).toEqual(new Set(['default']));
    await writeFile(path.join(dir, 'one.yaml'), scenarioText('one', 'First'));
    expect(await registry.reload()).toEqual({ loaded: 1, errors: [] });
    expect(reloads).toEqual([{ loaded: 1, errors: [] }]);
  });

  it('applies an added file, keeps the last good version of a broken edit, and drops a deleted file', async () => {
    await writeFile(path.join(dir, 'one.yaml'), scenarioText('one', 'First'));
    await registry.reload();
    stop = registry.watch();

    await writeFile(path.join(dir, 'two.yaml'), scenarioText('two', 'Second'));
    await eventually(() => registry.get('two')?.name === 'Second', DEADLINE_MS);

    await writeFile(path.join(dir, 'one.yaml'), 'id: one\nname: First\ncolour: red\nevents: []\n');
    await eventually(() => registry.errors().some((e) => e.path === 'one.yaml'), DEADLINE_MS);
    expect(registry.get('one')?.name).toBe('First');
    expect(registry.errors()).toEqual([{ path: 'one.yaml', scenarioId: 'one', problems: ["one.yaml: unknown key 'colour'", 'one.yaml: the last good version stays loaded'] }]);

    await writeFile(path.join(dir, 'one.yaml'), scenarioText('one', 'First, fixed'));
    await eventually(() => registry.get('one')?.name === 'First, fixed', DEADLINE_MS);
    expect(registry.errors()).toEqual([]);

    await unlink(path.join(dir, 'two.yaml'));
    await eventually(() => registry.get('two') === undefined, DEADLINE_MS);
    expect(registry.list().map((s) => s.id)).toEqual(['one']);
  });

  it('reloads when only the events file changes', async () => {
    await writeFile(path.join(dir, 'lines.yaml'), 'id: lines\nname: Lines\nevents_file: lines.jsonl\n');
    await writeFile(path.join(dir, 'lines.jsonl'), '{"event":{"source_kind":"command","payload":{"command_text":"ls"}}}\n');
    await registry.reload();
    stop = registry.watch();
    await writeFile(path.join(dir, 'lines.jsonl'), '{"event":{"source_kind":"command","payload":{"command_text":"ls"}}}\n{"at":"1s","event":{"source_kind":"command","payload":{"command_text":"pwd"}}}\n');
    await eventually(() => registry.get('lines')?.steps.length === 2, DEADLINE_MS);
  });

  it('does not show a file that never loaded, and reports it', async () => {
    await writeFile(path.join(dir, 'bad.yaml'), 'id: bad\nname: Bad\n');
    const result = await registry.reload();
    expect(registry.get('bad')).toBeUndefined();
    expect(result.errors).toEqual([{ path: 'bad.yaml', scenarioId: 'bad', problems: ["bad.yaml: 'events' is required unless events_file names a JSONL file beside the scenario, got nothing"] }]);
  });

  it('reports two files with the same id, naming both, and serves the first', async () => {
    // Ids must equal file names, so a duplicate can only come from name.yaml beside name.yml.
    await writeFile(path.join(dir, 'a.yaml'), scenarioText('a', 'From a.yaml'));
    await writeFile(path.join(dir, 'a.yml'), scenarioText('a', 'From a.yml'));
    const result = await registry.reload();
    expect(result).toEqual({ loaded: 1, errors: [{ path: 'a.yml', scenarioId: 'a', problems: ['a.yml: id a is already defined by a.yaml'] }] });
    expect(registry.get('a')?.name).toBe('From a.yaml');
  });

  it('keeps the last good presets when the presets file breaks, and says so', async () => {
    await mkdir(path.join(dir, 'presets'));
    await writeFile(path.join(dir, 'presets', 'governance.yaml'), 'presets:\n  strict:\n    description: Deny more\n    tag_deny_threshold: 0.5\n');
    await writeFile(path.join(dir, 'one.yaml'), scenarioText('one', 'First', 'governance_preset: strict\n'));
    await registry.reload();
    expect(registry.presets()).toEqual([
      { name: 'default', description: 'the current governance, unchanged', patch: {}, source: 'built-in' },
      { name: 'strict', description: 'Deny more', patch: { tagDenyThreshold: 0.5 }, source: 'presets/governance.yaml' },
    ]);
    await writeFile(path.join(dir, 'presets', 'governance.yaml'), 'presets:\n  strict:\n    description: Deny more\n    tag_deny_threshold: high\n');
    const result = await registry.reload();
    expect(result.errors).toEqual([
      {
        path: 'presets/governance.yaml',
        scenarioId: null,
        problems: ["presets/governance.yaml: 'presets.strict.tag_deny_threshold' must be a number, got \"high\"", 'presets/governance.yaml: the last good presets stay loaded'],
      },
    ]);
    expect(registry.presetNames()).toEqual(new Set(['default', 'strict']));
    expect(registry.get('one')?.governancePreset).toBe('strict');
  });

  it('applies overlays on get and list, and re-applies one when told it changed', async () => {
    await writeFile(path.join(dir, 'one.yaml'), scenarioText('one', 'First'));
    await writeFile(path.join(dir, 'two.yaml'), scenarioText('two', 'Second'));
    await registry.reload();
    const original = registry.get('one');
    overlays.set('one', parseScenarioOverlay({ name: 'Renamed', params: { speed: '10', eventsPerTick: 1 } }));
    expect(registry.get('one')).toBe(original); // not until refreshOverlay
    registry.refreshOverlay('one');
    expect(registry.get('one')).toMatchObject({ name: 'Renamed', overlaid: true, params: { speed: 10, eventsPerTick: 1, metricsEnabled: true } });
    expect(registry.get('one')?.hash).not.toBe(original?.hash);
    expect(registry.list().map((s) => [s.id, s.name])).toEqual([
      ['one', 'Renamed'],
      ['two', 'Second'],
    ]);
    await registry.reload();
    expect(registry.get('one')?.name).toBe('Renamed'); // the overlay survives a reload
    overlays.delete('one');
    registry.refreshOverlay('one');
    expect(registry.get('one')).toEqual(original);
  });

  it('runs one reload at a time and folds concurrent calls into one more', async () => {
    await writeFile(path.join(dir, 'one.yaml'), scenarioText('one', 'First'));
    const results = await Promise.all([registry.reload(), registry.reload(), registry.reload()]);
    expect(results.map((r) => r.loaded)).toEqual([1, 1, 1]);
    expect(reloads.length).toBe(2);
  });
});
