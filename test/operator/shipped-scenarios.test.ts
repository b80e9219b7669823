import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal, type RunRecord } from '../../src/engine/runs/run.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { eventually } from '../helpers/tagging.ts';

/** The bundled scenarios/ replayed through the bundled rules, lifters and example policy. */
describe('the shipped scenarios', () => {
  let t: TestApp;
  const replay = async (id: string): Promise<RunRecord> => {
    const { runs } = t.app.operator();
    const { run } = await runs.start({ scenarioId: id, overrides: {}, idempotencyKey: null }, 'test');
    await eventually(async () => isTerminal((await runs.get(run.runId))?.state ?? 'QUEUED'), 20_000);
    return (await runs.get(run.runId)) as RunRecord;
  };
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.stop());

  it('all load, with no load errors and presets from presets/governance.yaml', () => {
    const { scenarios } = t.app.operator();
    expect(scenarios.errors()).toEqual([]);
    expect(scenarios.list().map((s) => s.id)).toEqual(['agent-drift', 'benign-admin-day', 'linux-intrusion', 'ssh-brute-force']);
    expect(scenarios.presets().map((p) => p.name)).toEqual(['default', 'strict', 'shadow', 'lenient']);
  });

  it('linux-intrusion covers discovery, credential access, persistence and exfiltration and reports recall per technique', async () => {
    const run = await replay('linux-intrusion');
    expect(run.state).toBe('COMPLETED');
    const expected = new Set(run.metrics?.perTechnique.filter((p) => p.expected > 0).map((p) => p.techniqueId));
    for (const t of ['T1033', 'T1082', 'T1003.008', 'T1552.004', 'T1053.003', 'T1098.004', 'T1567.002']) expect(expected.has(t)).toBe(true);
    expect(run.metrics?.volume.rejected).toBe(0);
    // A floor, not the exact figure: rule changes may raise it; a drop below this is a regression.
    expect(run.metrics?.overall.recall).toBeGreaterThanOrEqual(0.85);
  });

  it('ssh-brute-force is caught by the credential lifter at the tenth failure and at the login', async () => {
    const run = await replay('ssh-brute-force');
    expect(run.metrics?.overall).toMatchObject({ falseNegatives: 0, recall: 1 });
    expect(run.metrics?.perRule.filter((r) => r.truePositives > 0).map((r) => r.ruleId)).toEqual(['R3001', 'R3002', 'R3004']);
  });

  it('agent-drift: the gateway reaches every labelled decision, with the expected denial codes', async () => {
    const run = await replay('agent-drift');
    expect(run.snapshot?.governance.preset).toBe('strict');
    expect(run.metrics?.gateway).toMatchObject({ requests: 9, labelled: 9, correct: 9, falseAllows: 0, falseDenies: 0 });
    expect(new Set(run.metrics?.gateway.byReason.map((r) => r.key))).toEqual(new Set(['path_outside_jurisdiction', 'path_protected', 'path_outside_root', 'spec_not_active', 'identity_mismatch', 'blocked_by_detection']));
    const steps = await t.app.operator().runStore.steps(run.runId, -1, 100);
    expect(steps.filter((s) => s.reasonCode === 'blocked_by_detection').map((s) => (s.input.params as { path: string }).path)).toEqual(['docs/install.sh', 'src/debug.sh']);
  });

  it('benign-admin-day expects nothing, so every tag on it is a false positive', async () => {
    const run = await replay('benign-admin-day');
    expect(run.metrics?.labels).toMatchObject({ unlabelled: 0, complete: true });
    expect(run.metrics?.volume).toMatchObject({ rejected: 0 });
    expect(run.metrics?.volume.steps).toBeGreaterThanOrEqual(200);
    expect(run.metrics?.overall).toMatchObject({ truePositives: 0, falseNegatives: 0, falsePositives: run.metrics?.tags.total });
  });
});
