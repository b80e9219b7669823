import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadAttackCatalogue } from '../../../src/engine/attack/catalogue.ts';
import { canonicalJson } from '../../../src/engine/canonical-json.ts';
import { GatehouseError } from '../../../src/engine/errors.ts';
import { parseScenario } from '../../../src/engine/scenarios/parse-scenario.ts';
import { applyScenarioOverlay, parseScenarioOverlay } from '../../../src/engine/scenarios/scenario-overlay.ts';

const scenario = parseScenario('id: one\nname: First\ntags: [a]\nparams: { events_per_tick: 3, speed: realtime }\nevents:\n  - event: { source_kind: command, payload: { command_text: ls } }\n', {
  file: 'one.yaml',
  presets: new Set(['default', 'strict']),
  catalogue: loadAttackCatalogue(),
});

const refusal = (input: unknown) => {
  try {
    parseScenarioOverlay(input);
  } catch (err) {
    if (err instanceof GatehouseError) return { code: err.code, message: err.message, details: err.details };
    throw err;
  }
  return null;
};

describe('parsing a scenario overlay', () => {
  it('accepts every editable field', () => {
    const input = {
      name: 'Renamed',
      description: 'edited in the dashboard',
      tags: ['x', 'y'],
      runtimeHint: 'full',
      governancePreset: null,
      labelsComplete: true,
      params: { ticksTotal: 4, eventsPerTick: 2, speed: 'max', metricsEnabled: false, loggingEnabled: false },
    };
    expect(parseScenarioOverlay(input)).toEqual(input);
  });

  it.each([
    ['max', 'max'],
    ['realtime', 'realtime'],
    [2.5, 2.5],
    ['10', 10],
    ['0.5', 0.5],
  ])('reads the speed %j as %j', (speed, expected) => {
    expect(parseScenarioOverlay({ params: { speed } }).params?.speed).toBe(expected);
  });

  it.each([
    [{ steps: [] }, 'input: unknown field steps; editable: name, description, tags, runtimeHint, governancePreset, labelsComplete, params'],
    [{ params: { seed: 1 } }, 'params: unknown field seed; editable: ticksTotal, eventsPerTick, speed, metricsEnabled, loggingEnabled'],
    [{ params: { speed: 'warp' } }, 'params.speed: must be "max", "realtime" or a factor above 0 and at most 1000, got "warp"'],
    [{ params: { speed: '0' } }, 'params.speed: must be "max", "realtime" or a factor above 0 and at most 1000, got 0'],
    [{ params: { speed: -1 } }, 'params.speed: must be "max", "realtime" or a factor above 0 and at most 1000, got -1'],
    [{ params: { eventsPerTick: 0 } }, 'params.eventsPerTick: must be 1 or more, got 0'],
    [{ runtimeHint: 'huge' }, 'runtimeHint: must be one of tiny, small, full, got "huge"'],
    [{ name: '' }, 'name: must not be empty, got ""'],
    [{ tags: 'a' }, 'tags: must be a list, got "a"'],
    [{ labelsComplete: 'yes' }, 'labelsComplete: must be true or false, got "yes"'],
  ])('refuses %j as bad input naming the field and what arrived', (input, message) => {
    expect(refusal(input)).toMatchObject({ code: 'BAD_USER_INPUT', message });
  });
});

describe('applying a scenario overlay', () => {
  it('returns the scenario itself for no overlay or an empty one', () => {
    expect(applyScenarioOverlay(scenario, undefined)).toBe(scenario);
    expect(applyScenarioOverlay(scenario, {})).toBe(scenario);
    expect(applyScenarioOverlay(scenario, { params: {} })).toBe(scenario);
  });

  it('lets the overlay win field by field, keeping the file’s other params', () => {
    const overlay = parseScenarioOverlay({ name: 'Renamed', governancePreset: 'strict', params: { speed: '10' } });
    const edited = applyScenarioOverlay(scenario, overlay);
    expect(edited).toMatchObject({ name: 'Renamed', tags: ['a'], governancePreset: 'strict', overlaid: true, params: { speed: 10, eventsPerTick: 3, ticksTotal: null, metricsEnabled: true } });
    expect(edited.steps).toBe(scenario.steps);
    expect(scenario).toMatchObject({ name: 'First', overlaid: false, params: { speed: 'realtime' } });
  });

  it('folds the overlay’s canonical JSON into the hash, independent of key order', () => {
    const a = applyScenarioOverlay(scenario, { name: 'R', params: { speed: 2, eventsPerTick: 1 } });
    const b = applyScenarioOverlay(scenario, { params: { eventsPerTick: 1, speed: 2 }, name: 'R' });
    expect(a.hash).toBe(b.hash);
    expect(a.hash).toBe(createHash('sha256').update(`${scenario.hash}\n${canonicalJson({ name: 'R', params: { speed: 2, eventsPerTick: 1 } })}`).digest('hex'));
    expect(applyScenarioOverlay(scenario, { name: 'S' }).hash).not.toBe(a.hash);
  });

  it('can clear the preset with an explicit null', () => {
    const withPreset = { ...scenario, governancePreset: 'strict' };
    expect(applyScenarioOverlay(withPreset, { governancePreset: null }).governancePreset).toBeNull();
  });
});
