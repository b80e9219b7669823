import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { eventually } from '../helpers/tagging.ts';
import { MINI, slowScenario, writeScenarios } from './operator-fixtures.ts';

describe('scenarios, governance history, readiness and the dashboard through GraphQL', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = await writeScenarios({ 'mini.yaml': MINI, 'slow.yaml': slowScenario('slow', 20) });
    t = await startTestApp({ scenariosDir: dir });
  });
  afterAll(async () => {
    await t?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists and filters scenarios and shows the detail of one', async () => {
    const list = await t.gql<{ all: { totalCount: number; edges: { node: { id: string } }[] }; tagged: { edges: { node: { id: string } }[] }; searched: { totalCount: number } }>(
      `{ all: scenarios { totalCount edges { node { id } } } tagged: scenarios(filter: { tag: "test" }) { edges { node { id } } } searched: scenarios(filter: { search: "EVENLY" }) { totalCount } }`,
    );
    expect(list.body.data?.all.edges.map((e) => e.node.id)).toEqual(['mini', 'slow']);
    expect(list.body.data?.tagged.edges.map((e) => e.node.id)).toEqual(['mini']);
    expect(list.body.data?.searched.totalCount).toBe(1);
    const one = await t.gql<{ scenario: Record<string, unknown> }>(`{ scenario(id: "mini") { id runtimeHint components params { eventsPerTick speed ticksTotal } labelsComplete eventCount requestCount stepCount labelledCount labelCoverage expectedTechniques expectedDecisions { decision count } overlaid hash } }`);
    expect(one.body.data?.scenario).toMatchObject({ id: 'mini', runtimeHint: 'TINY', components: ['TAGGER', 'STORE', 'GATEWAY'], params: { eventsPerTick: 2, speed: 'max', ticksTotal: null }, labelsComplete: true, eventCount: 3, requestCount: 2, stepCount: 5, labelledCount: 4, labelCoverage: 0.8, expectedTechniques: ['T1003.008'], overlaid: false });
    expect(one.body.data?.scenario.expectedDecisions).toEqual([{ decision: 'APPROVED', count: 1 }, { decision: 'DENIED', count: 1 }]);
    expect((await t.gql<{ scenario: null }>(`{ scenario(id: "nope") { id } }`)).body.data?.scenario).toBeNull();
  });

  it('stores an edit as an overlay that wins over the YAML, and resets it', async () => {
    const update = `mutation($i: UpdateScenarioInput!) { updateScenario(input: $i) { scenario { name overlaid hash params { speed eventsPerTick } governancePreset } userErrors { code field message } } }`;
    const before = (await t.gql<{ scenario: { hash: string } }>(`{ scenario(id: "mini") { hash } }`)).body.data?.scenario.hash;
    const edited = await t.gql<{ updateScenario: { scenario: { name: string; overlaid: boolean; hash: string; params: { speed: string; eventsPerTick: number } }; userErrors: unknown[] } }>(update, { i: { scenarioId: 'mini', name: 'Mini, renamed', params: { speed: '20' } } });
    expect(edited.body.data?.updateScenario).toMatchObject({ userErrors: [], scenario: { name: 'Mini, renamed', overlaid: true, params: { speed: '20', eventsPerTick: 2 } } });
    expect(edited.body.data?.updateScenario.scenario.hash).not.toBe(before);
    const again = await t.gql<{ updateScenario: { scenario: { name: string; params: { speed: string; eventsPerTick: number } } } }>(update, { i: { scenarioId: 'mini', params: { eventsPerTick: 1 } } });
    expect(again.body.data?.updateScenario.scenario).toMatchObject({ name: 'Mini, renamed', params: { speed: '20', eventsPerTick: 1 } });
    const badPreset = await t.gql<{ updateScenario: { userErrors: { code: string; field: string }[] } }>(update, { i: { scenarioId: 'mini', governancePreset: 'nope' } });
    expect(badPreset.body.data?.updateScenario.userErrors).toEqual([{ code: 'BAD_USER_INPUT', field: 'governancePreset', message: 'governancePreset: no governance preset "nope"; known: default' }]);
    const reset = await t.gql<{ updateScenario: { scenario: { name: string; overlaid: boolean; hash: string } } }>(update, { i: { scenarioId: 'mini', reset: true } });
    expect(reset.body.data?.updateScenario.scenario).toEqual({ name: 'Mini intrusion', overlaid: false, hash: before, params: { speed: 'max', eventsPerTick: 2 }, governancePreset: null });
  });

  it('keeps the overlay when the YAML changes on disk (hot reload)', async () => {
    await t.gql(`mutation { updateScenario(input: { scenarioId: "slow", name: "Slow, renamed" }) { userErrors { code } } }`);
    await writeFile(path.join(dir, 'slow.yaml'), slowScenario('slow', 30));
    await eventually(async () => (await t.gql<{ scenario: { stepCount: number } }>(`{ scenario(id: "slow") { stepCount } }`)).body.data?.scenario.stepCount === 30, 3000);
    expect((await t.gql<{ scenario: { name: string } }>(`{ scenario(id: "slow") { name } }`)).body.data?.scenario.name).toBe('Slow, renamed');
  });

  it('activates a scenario for state and lists the governance history newest first', async () => {
    const act = await t.gql<{ activateScenario: { scenario: { id: string; active: boolean } } }>(`mutation { activateScenario(input: { scenarioId: "mini" }) { scenario { id active } userErrors { code } } }`);
    expect(act.body.data?.activateScenario.scenario).toEqual({ id: 'mini', active: true });
    expect((await t.gql<{ state: { activeScenario: { id: string } } }>(`{ state { activeScenario { id } } }`)).body.data?.state.activeScenario.id).toBe('mini');
    const missing = await t.gql<{ activateScenario: { userErrors: { code: string }[] } }>(`mutation { activateScenario(input: { scenarioId: "nope" }) { userErrors { code } } }`);
    expect(missing.body.data?.activateScenario.userErrors).toEqual([{ code: 'NOT_FOUND' }]);

    await t.gql(`mutation { updateGovernance(input: { expectedRevision: 0, mode: SHADOW, reason: "trial" }) { userErrors { code } } }`);
    await t.gql(`mutation { updateGovernance(input: { expectedRevision: 1, blockedTactics: ["TA0011"] }) { userErrors { code } } }`);
    const bad = await t.gql<{ updateGovernance: { userErrors: { code: string; field: string; message: string }[] } }>(`mutation { updateGovernance(input: { expectedRevision: 2, blockedTactics: ["TA9999"] }) { userErrors { code field message } } }`);
    expect(bad.body.data?.updateGovernance.userErrors).toEqual([{ code: 'BAD_USER_INPUT', field: 'blockedTactics', message: 'blockedTactics: not ATT&CK Enterprise tactics: TA9999' }]);
    const history = await t.gql<{ governanceHistory: { totalCount: number; edges: { node: { revision: number; mode: string; blockedTactics: string[]; reason: string | null } }[] } }>(`{ governanceHistory { totalCount edges { node { revision mode blockedTactics reason } } } }`);
    expect(history.body.data?.governanceHistory.totalCount).toBe(3);
    expect(history.body.data?.governanceHistory.edges.map((e) => [e.node.revision, e.node.mode, e.node.blockedTactics, e.node.reason])).toEqual([
      [2, 'SHADOW', ['TA0011'], null],
      [1, 'SHADOW', ['TA0002', 'TA0005', 'TA0010'], 'trial'],
      [0, 'ENFORCE', ['TA0002', 'TA0005', 'TA0010'], null],
    ]);
    expect((await t.gql<{ gatewayStatus: { mode: string } }>(`{ gatewayStatus { mode } }`)).body.data?.gatewayStatus.mode).toBe('shadow');
  });

  it('reports scenarios and runs in readiness and in the dashboard', async () => {
    const { runs } = t.app.operator();
    const { run } = await runs.start({ scenarioId: 'mini', overrides: {}, idempotencyKey: null }, 'test');
    await eventually(async () => (await runs.get(run.runId))?.state === 'COMPLETED', 10_000);
    const res = await t.gql<{ readiness: { subsystems: { name: string; status: string }[] }; dashboard: { counts: { key: string; value: number; breakdown: { key: string; value: number }[] }[]; recent: { kind: string; id: string }[] } }>(`{ readiness { subsystems { name status } } dashboard { counts { key value breakdown { key value } } recent { kind id } } }`);
    const subsystems = res.body.data?.readiness.subsystems.map((s) => s.name) ?? [];
    expect(subsystems).toEqual(expect.arrayContaining(['scenarios', 'runs']));
    const counts = new Map(res.body.data?.dashboard.counts.map((c) => [c.key, c]));
    expect(counts.get('scenarios')?.value).toBe(2);
    expect(counts.get('runsByState')?.breakdown.find((b) => b.key === 'COMPLETED')?.value).toBeGreaterThanOrEqual(1);
    expect(res.body.data?.dashboard.recent).toContainEqual({ kind: 'run', id: run.runId });
  });

  it('shows a broken scenario file on the scenarios readiness subsystem and keeps the last good version', async () => {
    await writeFile(path.join(dir, 'mini.yaml'), 'id: mini\nname: Broken\ncolour: red\nevents: []\n');
    await eventually(async () => {
      const r = await t.gql<{ readiness: { subsystems: { name: string; status: string }[]; hints: { code: string; message: string }[] } }>(`{ readiness { subsystems { name status } hints { code message } } }`);
      return r.body.data?.readiness.hints.some((h) => h.code === 'scenario_file_invalid' && h.message.includes("unknown key 'colour'")) ?? false;
    }, 8000);
    expect((await t.gql<{ scenario: { labelsComplete: boolean } }>(`{ scenario(id: "mini") { labelsComplete } }`)).body.data?.scenario.labelsComplete).toBe(true);
  });
});
