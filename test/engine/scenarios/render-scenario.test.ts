import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadAttackCatalogue } from '../../../src/engine/attack/catalogue.ts';
import { loadScenarioFolder } from '../../../src/engine/scenarios/load-scenarios.ts';
import { parseScenario } from '../../../src/engine/scenarios/parse-scenario.ts';
import { renderResolvedScenario } from '../../../src/engine/scenarios/render-scenario.ts';
import { applyScenarioOverlay } from '../../../src/engine/scenarios/scenario-overlay.ts';
import type { Scenario } from '../../../src/engine/scenarios/scenario.ts';

const catalogue = loadAttackCatalogue();
const presets = new Set(['default', 'strict']);
const TEXT = `id: one
name: First
labels_complete: true
start_at: 2026-02-01T08:00:00Z
events:
  - at: 0
    event: { source_kind: command, host: web-1, session_id: s-1, attacker_id: actor-1, payload: { command_text: cat /etc/shadow } }
    expect: { techniques: [T1003.008] }
  - at: 90s
    request: { agent: a, role: developer, spec_id: SPEC-DOCS, action: write_file, params: { path: docs/x.md, content: "x" }, rationale: notes }
    as: { agent: b, roles: [developer] }
    expect: { decision: APPROVED }
  - at: 90s
    request: { agent: a, role: developer, spec_id: SPEC-DOCS, action: delete_file, params: { path: docs/x.md } }
    expect: { decision: PENDING_APPROVAL, techniques: [] }
  - at: 2m
    event: { source_kind: command, payload: { command_text: ls } }
`;
const one = parseScenario(TEXT, { file: 'one.yaml', presets, catalogue });

/** What a re-read must reproduce: everything but where the steps came from and the hash of the text. */
const comparable = (s: Scenario) => ({ ...s, hash: null, sourcePath: null, eventsFile: null, overlaid: null, steps: s.steps.map((x) => ({ ...x, origin: null })) });
const reread = (s: Scenario) => parseScenario(renderResolvedScenario(s), { file: `${s.id}.yaml`, presets, catalogue });

describe('the resolved scenario', () => {
  it('is the file format with defaults written out and every step at its occurred_at', () => {
    const doc = parseYaml(renderResolvedScenario(one)) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['id', 'name', 'description', 'tags', 'runtime_hint', 'components', 'params', 'governance_preset', 'labels_complete', 'start_at', 'events']);
    expect(doc.params).toEqual({ ticks_total: null, events_per_tick: 10, speed: 'max', metrics_enabled: true, logging_enabled: true });
    expect((doc.events as unknown[])[1]).toEqual({
      occurred_at: '2026-02-01T08:01:30.000Z',
      request: { agent: 'a', role: 'developer', spec_id: 'SPEC-DOCS', action: 'write_file', params: { path: 'docs/x.md', content: 'x' }, rationale: 'notes' },
      as: { agent: 'b', roles: ['developer'] },
      expect: { techniques: [], decision: 'APPROVED' },
    });
    expect((doc.events as unknown[])[3]).toEqual({ occurred_at: '2026-02-01T08:02:00.000Z', event: { source_kind: 'command', source_id: 'one-4', payload: { command_text: 'ls' } } });
  });

  it('starts with a comment naming the source and the scenario hash', () => {
    expect(renderResolvedScenario(one).split('\n')[0]).toBe(`# resolved from one.yaml; scenario hash ${one.hash}`);
  });

  it('parses back into an equal scenario', () => {
    expect(comparable(reread(one))).toEqual(comparable(one));
  });

  it('parses back into an equal scenario with an overlay applied', () => {
    const edited = applyScenarioOverlay(one, { name: 'Edited', tags: ['x'], runtimeHint: 'full', governancePreset: 'strict', labelsComplete: false, params: { speed: 4, ticksTotal: 2 } });
    const again = reread(edited);
    expect(comparable(again)).toEqual(comparable(edited));
    expect(again).toMatchObject({ name: 'Edited', governancePreset: 'strict', params: { speed: 4, ticksTotal: 2, eventsPerTick: 10 } });
  });

  describe('of every shipped scenario', () => {
    let shipped: Scenario[] = [];
    beforeAll(async () => {
      const folder = await loadScenarioFolder(path.resolve(import.meta.dirname, '../../../scenarios'), catalogue);
      shipped = folder.scenarios;
      presets.add('shadow').add('lenient');
    });

    it('parses back into an equal scenario, events files inlined', () => {
      expect(shipped.length).toBeGreaterThanOrEqual(4);
      for (const s of shipped) expect(comparable(reread(s)), s.id).toEqual(comparable(s));
    });
  });
});
