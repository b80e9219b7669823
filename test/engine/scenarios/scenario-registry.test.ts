import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAttackCatalogue } from '../../../src/engine/attack/catalogue.ts';
import { parseScenario } from '../../../src/engine/scenarios/parse-scenario.ts';
import { renderResolvedScenario } from '../../../src/engine/scenarios/render-scenario.ts';
import { parseScenarioOverlay } from '../../../src/engine/scenarios/scenario-overlay.ts';
import { createScenarioRegistry, type ScenarioRegistry } from '../../../src/engine/scenarios/scenario-registry.ts';
import { scenarioSummary } from '../../../src/engine/scenarios/scenario-summary.ts';
import type { ScenarioOverlay } from '../../../src/engine/scenarios/scenario.ts';
import { eventually } from '../../helpers/tagging.ts';

const catalogue = loadAttackCatalogue();
const scenarioText = (id: string, name: string) => `id: ${id}
name: ${name}
labels_complete: true
events:
  - at: 0
    event: { source_kind: command, payload: { command_text: cat /etc/shadow } }
    expect: { techniques: [T1003.008] }
  - at: 90s
    request: { agent: a, role: developer, spec_id: SPEC-DOCS, action: write_file, params: { path: docs/x.md, content: "x" } }
    expect: { decision: APPROVED }
  - at: 2m
    event: { source_kind: command, payload: { command_text: ls } }
`;

describe('the scenario registry', () => {
  let dir: string;
  let registry: ScenarioRegistry;
  let stop: () => void = () => {};
  const overlays = new Map<string, ScenarioOverlay>();
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-registry-'));
    overlays.clear();
    registry = createScenarioRegistry({ dir, catalogue, overlay: (id) => overlays.get(id) });
  });
  afterEach(async () => {
    stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies an added file, keeps the last good version of a broken edit, and drops a deleted file', async () => {
    await writeFile(path.join(dir, 'one.yaml'), scenarioText('one', 'First'));
    await registry.reload();
    stop = registry.watch();
    await writeFile(path.join(dir, 'two.yaml'), scenarioText('two', 'Second'));
    await eventually(() => registry.get('two')?.name === 'Second', 2500);

    await writeFile(path.join(dir, 'one.yaml'), 'id: one\nname: First\ncolour: red\nevents: []\n');
    await eventually(() => registry.errors().some((e) => e.path === 'one.yaml'), 2500);
    expect(registry.get('one')?.name).toBe('First');
    expect(registry.errors().find((e) => e.path === 'one.yaml')?.problems).toEqual(["one.yaml: unknown key 'colour'", 'one.yaml: the last good version stays loaded']);

    await unlink(path.join(dir, 'two.yaml'));
    await eventually(() => registry.get('two') === undefined, 2500);
    expect(registry.list().map((s) => s.id)).toEqual(['one']);
  });

  it('lets an overlay win over the file field by field, changes the hash, and resets', async () => {
    await writeFile(path.join(dir, 'one.yaml'), scenarioText('one', 'First'));
    await registry.reload();
    const original = registry.get('one');
    overlays.set('one', parseScenarioOverlay({ name: 'Renamed', params: { speed: '10', eventsPerTick: 1 } }));
    registry.refreshOverlay('one');
    const edited = registry.get('one');
    expect(edited).toMatchObject({ name: 'Renamed', overlaid: true, params: { speed: 10, eventsPerTick: 1, metricsEnabled: true } });
    expect(edited?.hash).not.toBe(original?.hash);
    overlays.delete('one');
    registry.refreshOverlay('one');
    expect(registry.get('one')).toEqual(original);
  });

  it('refuses overlay fields that are not editable, naming them', () => {
    expect(() => parseScenarioOverlay({ steps: [] })).toThrow('unknown field steps; editable: name, description, tags, runtimeHint, governancePreset, labelsComplete, params');
    expect(() => parseScenarioOverlay({ params: { speed: 'warp' } })).toThrow('must be "max", "realtime" or a factor above 0 and at most 1000, got "warp"');
  });
});

describe('scenario summaries and the resolved form', () => {
  const s = parseScenario(scenarioText('one', 'First'), { file: 'one.yaml', expectedId: 'one', presets: new Set(['default']), catalogue });

  it('counts steps, labels, expected techniques and decisions', () => {
    expect(scenarioSummary(s)).toEqual({ stepCount: 3, eventCount: 2, requestCount: 1, labelledCount: 2, labelCoverage: 2 / 3, expectedTechniques: ['T1003.008'], expectedDecisions: { APPROVED: 1 }, durationSeconds: 120 });
  });

  it('renders YAML that parses back into the same steps and params', () => {
    const again = parseScenario(renderResolvedScenario(s), { file: 'one.yaml', expectedId: 'one', presets: new Set(['default']), catalogue });
    expect(again.steps).toEqual(s.steps.map((step) => ({ ...step, origin: expect.stringMatching(/^one\.yaml events\[\d\]$/) })));
    expect(again.params).toEqual(s.params);
    expect(again.labelsComplete).toBe(true);
  });
});
