import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { eventually } from '../helpers/tagging.ts';
import { connectWs, record, type WsConnection } from '../server/ws-client.ts';
import { MINI, RUN_FIELDS, slowScenario, writeScenarios } from './operator-fixtures.ts';

interface RunView {
  runId: string;
  state: string;
  endReason: string | null;
  message: string | null;
  progress: { progress: number; eventsCompleted: number; eventsTotal: number; ticksCompleted: number };
  snapshot: { governanceRevision: number; governance: { confidenceFloor: number }; scenarioHash: string; policySetHash: string } | null;
}

describe('replay runs through GraphQL', () => {
  let t: TestApp;
  let dir: string;
  let ws: WsConnection;
  const run = async (runId: string) => (await t.gql<{ run: RunView }>(`query($id: String!) { run(runId: $id) { ${RUN_FIELDS} } }`, { id: runId })).body.data?.run as RunView;
  const start = async (scenarioId: string, overrides: Record<string, unknown> = {}) => {
    const res = await t.gql<{ startRun: { run: RunView; userErrors: unknown[] } }>(`mutation($s: String!, $o: RunOverridesInput) { startRun(input: { scenarioId: $s, overrides: $o }) { run { ${RUN_FIELDS} } userErrors { code field message } } }`, { s: scenarioId, o: overrides });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.startRun.userErrors).toEqual([]);
    return res.body.data?.startRun.run as RunView;
  };
  const control = async (name: 'stopRun' | 'pauseRun' | 'resumeRun' | 'stepRun', input: Record<string, unknown>) => {
    const type = name === 'stopRun' ? 'StopRunInput' : name === 'stepRun' ? 'StepRunInput' : 'RunIdInput';
    const res = await t.gql<Record<string, { run: RunView | null; userErrors: { code: string; field: string | null; message: string }[] }>>(`mutation($i: ${type}!) { ${name}(input: $i) { run { ${RUN_FIELDS} } userErrors { code field message } } }`, { i: input });
    expect(res.body.errors).toBeUndefined();
    return res.body.data?.[name] as { run: RunView | null; userErrors: { code: string; field: string | null; message: string }[] };
  };
  const ended = (runId: string) => eventually(async () => ['COMPLETED', 'CANCELLED', 'FAULT'].includes((await run(runId)).state), 20_000);

  beforeAll(async () => {
    dir = await writeScenarios({ 'mini.yaml': MINI, 'slow.yaml': slowScenario('slow', 100) });
    t = await startTestApp({ scenariosDir: dir });
    ws = connectWs(t.wsUrl, `Bearer ${t.adminToken}`);
    await ws.connected;
  });
  afterAll(async () => {
    await ws?.dispose();
    await t?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a labelled scenario to COMPLETED while runProgress reaches 1.0', async () => {
    const queued = await start('mini');
    const progress = record(ws.client, { query: `subscription($id: String!) { runProgress(runId: $id) { state progress { progress eventsCompleted eventsTotal } } }`, variables: { id: queued.runId } });
    await ended(queued.runId);
    await eventually(() => progress.events.some((e) => e.kind === 'complete'), 5000);
    const messages = progress.events.flatMap((e) => (e.kind === 'next' ? [(e.result.data as { runProgress: { state: string; progress: { progress: number } } }).runProgress] : []));
    expect(messages.at(-1)).toMatchObject({ state: 'COMPLETED', progress: { progress: 1 } });
    const done = await run(queued.runId);
    expect(done).toMatchObject({ state: 'COMPLETED', endReason: null, progress: { eventsCompleted: 5, eventsTotal: 5, progress: 1 } });
    expect(done.snapshot?.scenarioHash).toMatch(/^[0-9a-f]{64}$/);

    const metrics = await t.gql<{ run: { metrics: Record<string, unknown> } }>(`query($id: String!) { run(runId: $id) {
      metrics { volume { steps events requests rejected } overall { truePositives falsePositives falseNegatives precision recall }
        perTechnique { techniqueId truePositives falseNegatives recall } gateway { requests labelled correct falseAllows falseDenies byReason { key value } }
        outcomes { key value } }
      components { name status headline } } }`, { id: queued.runId });
    const m = metrics.body.data?.run.metrics as { volume: unknown; perTechnique: { techniqueId: string; truePositives: number; recall: number | null }[]; gateway: { requests: number; labelled: number; correct: number; falseAllows: number; byReason: { key: string }[] }; outcomes: { key: string; value: number }[] };
    expect(m.volume).toEqual({ steps: 5, events: 3, requests: 2, rejected: 0 });
    expect(m.perTechnique.find((p) => p.techniqueId === 'T1003.008')).toMatchObject({ truePositives: 1, recall: 1 });
    expect(m.gateway).toMatchObject({ requests: 2, labelled: 2, correct: 2, falseAllows: 0 });
    expect(m.gateway.byReason.map((r) => r.key)).toContain('path_outside_root');
    expect(m.outcomes).toEqual([
      { key: 'blocked', value: 1 },
      { key: 'alerted', value: 2 }, // the shadow read and whoami (unlabelled, but labels are complete)
      { key: 'logged', value: 2 },
      { key: 'missed', value: 0 },
    ]);
  });

  it('keeps a run’s events, tags and decisions out of live queries unless the query names the run', async () => {
    const runId = (await t.gql<{ runs: { edges: { node: { runId: string } }[] } }>(`{ runs(filter: { scenarioId: "mini" }) { edges { node { runId } } } }`)).body.data?.runs.edges[0]?.node.runId as string;
    const live = await t.gql<{ tags: { totalCount: number }; gatewayRequests: { totalCount: number } }>(`{ tags { totalCount } gatewayRequests { totalCount } }`);
    expect(live.body.data).toEqual({ tags: { totalCount: 0 }, gatewayRequests: { totalCount: 0 } });
    const scoped = await t.gql<{ tags: { totalCount: number }; gatewayRequests: { edges: { node: { dryRun: boolean } }[] } }>(`query($r: String!) { tags(filter: { runId: $r }) { totalCount } gatewayRequests(filter: { runId: $r }) { edges { node { dryRun } } } }`, { r: runId });
    expect(scoped.body.data?.tags.totalCount).toBeGreaterThanOrEqual(1);
    expect(scoped.body.data?.gatewayRequests.edges.map((e) => e.node.dryRun)).toEqual([true, true]);
  });

  it('has every request of a completed run in the audit chain, marked dry-run, though the run did not wait for each commit', async () => {
    const runId = (await t.gql<{ runs: { edges: { node: { runId: string } }[] } }>(`{ runs(filter: { scenarioId: "mini" }) { edges { node { runId } } } }`)).body.data?.runs.edges[0]?.node.runId as string;
    const requests = await t.gql<{ gatewayRequests: { edges: { node: { requestId: string; status: string } }[] } }>(`query($r: String!) { gatewayRequests(filter: { runId: $r }) { edges { node { requestId status } } } }`, { r: runId });
    const rows = requests.body.data?.gatewayRequests.edges.map((e) => e.node) ?? [];
    expect(rows.length).toBe(2);
    for (const row of rows) {
      const live = await t.gql<{ auditEvents: { totalCount: number } }>(`query($q: String!) { auditEvents(filter: { requestId: $q }) { totalCount } }`, { q: row.requestId });
      expect(live.body.data?.auditEvents.totalCount).toBe(0); // not among live entries unless the query names the run
      const audit = await t.gql<{ auditEvents: { edges: { node: { kind: string; dryRun: boolean } }[] } }>(`query($q: String!, $r: String!) { auditEvents(filter: { requestId: $q, runId: $r }) { edges { node { kind dryRun } } } }`, { q: row.requestId, r: runId });
      const entries = (audit.body.data?.auditEvents.edges ?? []).map((e) => e.node).reverse();
      const kinds = row.status === 'APPROVED' ? ['REQUEST_RECEIVED', 'DECISION', 'ACTION_COMPLETED'] : ['REQUEST_RECEIVED', 'DECISION'];
      expect(entries).toEqual(kinds.map((kind) => ({ kind, dryRun: true })));
    }
  });

  it('stops a running run at a step boundary: CANCELLED in state, run and runs; a second stop is idempotent', async () => {
    const queued = await start('slow');
    await eventually(async () => (await run(queued.runId)).progress.eventsCompleted > 2, 10_000);
    const stopped = await control('stopRun', { runId: queued.runId, reason: 'enough' });
    expect(stopped.userErrors).toEqual([]);
    expect(stopped.run).toMatchObject({ state: 'CANCELLED', endReason: 'STOPPED' });
    expect(stopped.run?.progress.eventsCompleted).toBeLessThan(100);
    const again = await control('stopRun', { runId: queued.runId });
    expect(again).toMatchObject({ run: { state: 'CANCELLED' }, userErrors: [] });
    const view = await t.gql<{ state: { run: { runId: string; state: string } }; runs: { edges: { node: { runId: string; state: string } }[] } }>(`{ state { run { runId state } } runs(filter: { state: CANCELLED }) { edges { node { runId state } } } }`);
    expect(view.body.data?.state.run).toEqual({ runId: queued.runId, state: 'CANCELLED' });
    expect(view.body.data?.runs.edges.map((e) => e.node)).toContainEqual({ runId: queued.runId, state: 'CANCELLED' });
  });

  it('refuses to stop a completed run with run_not_active', async () => {
    const done = (await t.gql<{ runs: { edges: { node: { runId: string } }[] } }>(`{ runs(filter: { state: COMPLETED }) { edges { node { runId } } } }`)).body.data?.runs.edges[0]?.node.runId as string;
    const res = await control('stopRun', { runId: done });
    expect(res.run).toBeNull();
    expect(res.userErrors).toEqual([{ code: 'run_not_active', field: 'runId', message: `run ${done} is COMPLETED; it can no longer be stopped` }]);
  });

  it('pauses, steps exactly the ticks asked for, and resumes to COMPLETED', async () => {
    const queued = await start('slow');
    await eventually(async () => (await run(queued.runId)).progress.eventsCompleted > 0, 10_000);
    const paused = await control('pauseRun', { runId: queued.runId });
    expect(paused.userErrors).toEqual([]);
    await eventually(async () => (await run(queued.runId)).state === 'PAUSED', 5000);
    const before = (await run(queued.runId)).progress.eventsCompleted;
    await new Promise((r) => setTimeout(r, 300));
    expect((await run(queued.runId)).progress.eventsCompleted).toBe(before);
    const stepped = await control('stepRun', { runId: queued.runId, ticks: 3 });
    expect(stepped.userErrors).toEqual([]);
    await eventually(async () => {
      const r = await run(queued.runId);
      return r.state === 'PAUSED' && r.progress.eventsCompleted === before + 3;
    }, 5000);
    const pauseAgain = await control('pauseRun', { runId: queued.runId });
    expect(pauseAgain.userErrors[0]?.code).toBe('run_not_running');
    expect((await control('resumeRun', { runId: queued.runId })).userErrors).toEqual([]);
    await ended(queued.runId);
    expect(await run(queued.runId)).toMatchObject({ state: 'COMPLETED', progress: { eventsCompleted: 100, progress: 1 } });
  });

  it('streams a run’s log from the start with no gap or duplicate, then completes', async () => {
    const queued = await start('mini');
    await ended(queued.runId);
    const logs = record(ws.client, { query: `subscription($id: String!) { runLogs(runId: $id) { seq eventType level } }`, variables: { id: queued.runId } });
    await eventually(() => logs.events.some((e) => e.kind === 'complete'), 5000);
    const seqs = logs.events.flatMap((e) => (e.kind === 'next' ? [(e.result.data as { runLogs: { seq: number } }).runLogs.seq] : []));
    expect(seqs).toEqual(seqs.map((_s, i) => i + 1));
    const paged = await t.gql<{ runLogs: { totalCount: number; edges: { node: { eventType: string } }[] } }>(`query($id: String!) { runLogs(runId: $id, first: 200) { totalCount edges { node { eventType } } } }`, { id: queued.runId });
    expect(paged.body.data?.runLogs.totalCount).toBe(seqs.length);
    expect(paged.body.data?.runLogs.edges.map((e) => e.node.eventType)).toEqual(expect.arrayContaining(['RUN_QUEUED', 'RUN_STARTED', 'TAG', 'DECISION', 'RUN_COMPLETED']));
  });

  it('refuses a stale governance revision; a new run reflects an accepted change and an earlier run keeps its snapshot', async () => {
    const earlier = (await t.gql<{ runs: { edges: { node: { runId: string } }[] } }>(`{ runs(filter: { scenarioId: "mini", state: COMPLETED }) { edges { node { runId } } } }`)).body.data?.runs.edges[0]?.node.runId as string;
    const g0 = (await t.gql<{ governance: { revision: number; confidenceFloor: number; policySetHash: string } }>(`{ governance { revision confidenceFloor policySetHash } }`)).body.data?.governance;
    const update = `mutation($i: UpdateGovernanceInput!) { updateGovernance(input: $i) { governance { revision confidenceFloor policySetHash updatedBy } userErrors { code field message } } }`;
    const accepted = await t.gql<{ updateGovernance: { governance: { revision: number; confidenceFloor: number; policySetHash: string }; userErrors: unknown[] } }>(update, { i: { expectedRevision: g0?.revision, confidenceFloor: 0.95, reason: 'only confident tags' } });
    expect(accepted.body.data?.updateGovernance.userErrors).toEqual([]);
    expect(accepted.body.data?.updateGovernance.governance).toMatchObject({ revision: (g0?.revision ?? 0) + 1, confidenceFloor: 0.95 });
    expect(accepted.body.data?.updateGovernance.governance.policySetHash).not.toBe(g0?.policySetHash);
    const stale = await t.gql<{ updateGovernance: { governance: null; userErrors: { code: string; field: string }[] } }>(update, { i: { expectedRevision: g0?.revision, confidenceFloor: 0.1 } });
    expect(stale.body.data?.updateGovernance).toMatchObject({ governance: null, userErrors: [{ code: 'revision_conflict', field: 'expectedRevision' }] });

    const next = await start('mini');
    await ended(next.runId);
    expect((await run(next.runId)).snapshot).toMatchObject({ governanceRevision: (g0?.revision ?? 0) + 1, governance: { confidenceFloor: 0.95 } });
    expect((await run(earlier)).snapshot).toMatchObject({ governanceRevision: g0?.revision, governance: { confidenceFloor: 0.3 } });
    const audit = await t.gql<{ auditEvents: { edges: { node: { kind: string } }[] } }>(`{ auditEvents(filter: { kind: "GOVERNANCE_CHANGED" }) { edges { node { kind } } } }`);
    expect(audit.body.data?.auditEvents.edges.length ?? 0).toBeGreaterThanOrEqual(1);
  });
});
