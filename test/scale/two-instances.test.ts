import { rm } from 'node:fs/promises';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { slowScenario, writeScenarios } from '../operator/operator-fixtures.ts';
import { eventuallyTrue, startCluster, type Cluster, type Instance } from './cluster-harness.ts';

/** Issue #6 acceptance: two instances on PostgreSQL and Redis behave as one to every client. */
const LEASE_SECONDS = 6;

describe('two instances on PostgreSQL and Redis', () => {
  let cluster: Cluster;
  let a: Instance;
  let b: Instance;
  let scenariosDir: string;
  beforeAll(async () => {
    scenariosDir = await writeScenarios({ 'slow.yaml': slowScenario('slow', 600) });
    cluster = await startCluster({ scenariosDir, leaseSeconds: LEASE_SECONDS, names: ['instance-a', 'instance-b'] });
    [a, b] = cluster.instances as [Instance, Instance];
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    await rm(scenariosDir, { recursive: true, force: true });
  }, 60_000);

  const ingest = (on: Instance, sourceId: string, command: string) =>
    cluster.gql<{ ingestEvents: { accepted: number; results: { newTagIds: string[] }[] } }>(on, 'mutation($e: [EventInput!]!) { ingestEvents(input: { events: $e }) { accepted results { newTagIds } } }', { e: [{ sourceKind: 'command', sourceId, payload: { command_text: command } }] });

  it('delivers a tag ingested on A to a ttpTagged subscriber on B', async () => {
    const client = createClient({ url: b.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${cluster.adminToken}` } });
    const received: string[] = [];
    const unsubscribe = client.subscribe({ query: 'subscription { ttpTagged { sourceId tags { ruleId } } }' }, { next: (m) => received.push(String((m.data as { ttpTagged: { sourceId: string } }).ttpTagged.sourceId)), error: () => {}, complete: () => {} });
    await new Promise((r) => setTimeout(r, 500)); // the subscription reaches Redis a round trip later
    expect((await ingest(a, 'cluster-tag-1', 'cat /etc/shadow')).data?.ingestEvents.accepted).toBe(1);
    await eventuallyTrue(async () => received.includes('cluster-tag-1'), 3000, 'the tag to reach B');
    unsubscribe();
    await client.dispose();
  });

  it('delivers gatewayDecisions, ruleStateChanged and runProgress produced on A to subscribers on B', async () => {
    const client = createClient({ url: b.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${cluster.adminToken}` } });
    const seen: Record<string, unknown[]> = { decisions: [], states: [], progress: [] };
    const follow = (key: string, query: string) => client.subscribe({ query }, { next: (m) => seen[key]?.push(m.data), error: () => {}, complete: () => {} });
    const stops = [follow('decisions', 'subscription { gatewayDecisions { request { requestId status } } }'), follow('states', 'subscription { ruleStateChanged { ruleId effectiveState } }')];
    await new Promise((r) => setTimeout(r, 500));
    const decided = await fetch(`${a.origin}/request`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${cluster.agentToken}` }, body: JSON.stringify({ agent: 'cluster-agent', role: 'developer', spec_id: 'SPEC-DOCS', action: 'list_dir', params: { path: '/etc' } }) });
    const requestId = ((await decided.json()) as { request_id: string }).request_id;
    await cluster.gql(a, 'mutation { setRuleState(input: { ruleId: "R1002", state: DISABLED }) { userErrors { code } } }');
    const started = await cluster.gql<{ startRun: { run: { runId: string } } }>(a, 'mutation { startRun(input: { scenarioId: "slow", overrides: { speed: "max" } }) { run { runId } } }');
    const runId = started.data?.startRun.run.runId as string;
    stops.push(follow('progress', `subscription { runProgress(runId: "${runId}") { state } }`));
    await eventuallyTrue(async () => JSON.stringify(seen.decisions).includes(requestId), 3000, 'the decision on B');
    await eventuallyTrue(async () => JSON.stringify(seen.states).includes('R1002'), 3000, 'the rule state change on B');
    await eventuallyTrue(async () => JSON.stringify(seen.progress).includes('COMPLETED'), 10_000, 'the run progress on B');
    for (const stop of stops) stop();
    await cluster.gql(a, 'mutation { clearRuleState(input: { ruleId: "R1002" }) { userErrors { code } } }');
    await client.dispose();
  });

  it('stops a rule on B within 1 s of disabling it on A', async () => {
    const set = await cluster.gql<{ setRuleState: { userErrors: unknown[] } }>(a, 'mutation { setRuleState(input: { ruleId: "R1001", state: DISABLED, reason: "cluster test" }) { userErrors { code } } }');
    expect(set.data?.setRuleState.userErrors).toEqual([]);
    const took = await eventuallyTrue(async () => (await cluster.gql<{ rule: { effectiveState: string } }>(b, '{ rule(ruleId: "R1001") { effectiveState } }')).data?.rule.effectiveState === 'DISABLED', 1000, 'R1001 disabled on B');
    expect(took).toBeLessThan(1000);
    const res = await ingest(b, 'cluster-tag-2', 'cat /etc/shadow');
    expect(res.data?.ingestEvents.results[0]?.newTagIds).toEqual([]);
    await cluster.gql(a, 'mutation { clearRuleState(input: { ruleId: "R1001" }) { userErrors { code } } }');
  });

  it('applies a governance change made on A to B within 1 s, and both report the same policySetHash', async () => {
    const before = (await cluster.gql<{ governance: { revision: number } }>(a, '{ governance { revision } }')).data?.governance.revision ?? 0;
    const res = await cluster.gql<{ updateGovernance: { governance: { revision: number; policySetHash: string } } }>(a, `mutation { updateGovernance(input: { expectedRevision: ${before}, confidenceFloor: 0.4 }) { governance { revision policySetHash } userErrors { code } } }`);
    const after = res.data?.updateGovernance.governance;
    expect(after?.revision).toBe(before + 1);
    await eventuallyTrue(async () => (await cluster.gql<{ governance: { revision: number; policySetHash: string } }>(b, '{ governance { revision policySetHash } }')).data?.governance.policySetHash === after?.policySetHash, 1000, 'governance on B');
    const readiness = await cluster.gql<{ readiness: { subsystems: { name: string; status: string; reason: string | null }[] } }>(b, '{ readiness { subsystems { name status reason } } }');
    await eventuallyTrue(async () => {
      const r = await cluster.gql<{ readiness: { subsystems: { name: string; status: string }[] } }>(b, '{ readiness { subsystems { name status } } }');
      return r.data?.readiness.subsystems.find((s) => s.name === 'cluster')?.status === 'UP';
    }, 8000, 'cluster subsystem UP on B');
    expect(readiness.data?.readiness.subsystems.map((s) => s.name)).toContain('cluster');
  });

  it('stops a run executing on A from B', async () => {
    const started = await cluster.gql<{ startRun: { run: { runId: string } } }>(a, 'mutation { startRun(input: { scenarioId: "slow" }) { run { runId } userErrors { code message } } }');
    const runId = started.data?.startRun.run.runId as string;
    await eventuallyTrue(async () => (await cluster.gql<{ run: { state: string } }>(b, `{ run(runId: "${runId}") { state } }`)).data?.run.state === 'RUNNING', 10_000, 'the run RUNNING');
    const stopped = await cluster.gql<{ stopRun: { run: { state: string; endReason: string }; userErrors: unknown[] } }>(b, `mutation { stopRun(input: { runId: "${runId}", reason: "from B" }) { run { state endReason } userErrors { code message } } }`);
    expect(stopped.data?.stopRun).toEqual({ run: { state: 'CANCELLED', endReason: 'STOPPED' }, userErrors: [] });
  });

  it('pauses, steps and resumes a run executing on A through B', async () => {
    const started = await cluster.gql<{ startRun: { run: { runId: string } } }>(a, 'mutation { startRun(input: { scenarioId: "slow" }) { run { runId } } }');
    const runId = started.data?.startRun.run.runId as string;
    const state = async () => (await cluster.gql<{ run: { state: string; progress: { ticksCompleted: number } } }>(b, `{ run(runId: "${runId}") { state progress { ticksCompleted } } }`)).data?.run;
    await eventuallyTrue(async () => (await state())?.state === 'RUNNING', 10_000, 'the run RUNNING');
    const paused = await cluster.gql<{ pauseRun: { run: { state: string }; userErrors: unknown[] } }>(b, `mutation { pauseRun(input: { runId: "${runId}" }) { run { state } userErrors { code } } }`);
    expect(paused.data?.pauseRun).toEqual({ run: { state: 'PAUSED' }, userErrors: [] });
    await new Promise((r) => setTimeout(r, 1500)); // the owner stores its progress about once a second
    const before = (await state())?.progress.ticksCompleted ?? 0;
    const stepped = await cluster.gql<{ stepRun: { run: { state: string; progress: { ticksCompleted: number } } } }>(b, `mutation { stepRun(input: { runId: "${runId}", ticks: 2 }) { run { state progress { ticksCompleted } } userErrors { code } } }`);
    expect(stepped.data?.stepRun.run.progress.ticksCompleted).toBeGreaterThanOrEqual(before + 2);
    const resumed = await cluster.gql<{ resumeRun: { run: { state: string } } }>(b, `mutation { resumeRun(input: { runId: "${runId}" }) { run { state } userErrors { code } } }`);
    expect(['RUNNING', 'COMPLETED']).toContain(resumed.data?.resumeRun.run.state);
    await cluster.gql(b, `mutation { stopRun(input: { runId: "${runId}" }) { userErrors { code } } }`);
  }, 30_000);

  it('shows a readiness hint on A while another instance runs a different rule pack', async () => {
    const rules = await writeScenarios({}); // an empty rules folder: a different rule pack hash
    const c = await cluster.start('instance-c', { GATEHOUSE_RULES_DIR: rules });
    try {
      await eventuallyTrue(async () => {
        const r = await cluster.gql<{ readiness: { hints: { code: string; message: string }[] } }>(a, '{ readiness { hints { code message } } }');
        return r.data?.readiness.hints.some((h) => h.code === 'instances_differ' && h.message.startsWith('instance instance-c runs a different rule pack')) ?? false;
      }, 15_000, 'the instances_differ hint on A');
    } finally {
      c.child.kill('SIGTERM');
      await c.exited;
      await rm(rules, { recursive: true, force: true });
    }
  }, 40_000);

  it('ends the run of a killed owner FAULT (interrupted) once its lease expires', async () => {
    const started = await cluster.gql<{ startRun: { run: { runId: string } } }>(a, 'mutation { startRun(input: { scenarioId: "slow" }) { run { runId } } }');
    const runId = started.data?.startRun.run.runId as string;
    await eventuallyTrue(async () => (await cluster.gql<{ run: { state: string } }>(b, `{ run(runId: "${runId}") { state } }`)).data?.run.state === 'RUNNING', 10_000, 'the run RUNNING');
    a.child.kill('SIGKILL');
    expect(await a.exited).toBe('SIGKILL');
    const killedAt = Date.now();
    await eventuallyTrue(async () => (await cluster.gql<{ run: { state: string } }>(b, `{ run(runId: "${runId}") { state } }`)).data?.run.state === 'FAULT', (LEASE_SECONDS + 5) * 1000, 'the run FAULT on B');
    expect(Date.now() - killedAt).toBeLessThan((LEASE_SECONDS + 5) * 1000);
    const run = await cluster.gql<{ run: { endReason: string; message: string } }>(b, `{ run(runId: "${runId}") { endReason message } }`);
    expect(run.data?.run).toEqual({ endReason: 'INTERRUPTED', message: 'the instance executing the run (instance-a) stopped renewing its lease' });
  }, 30_000);
});

describe('the gateway across two instances', () => {
  let cluster: Cluster;
  let scenariosDir: string;
  beforeAll(async () => {
    scenariosDir = await writeScenarios({ 'slow.yaml': slowScenario('slow', 10) });
    cluster = await startCluster({ scenariosDir, leaseSeconds: LEASE_SECONDS, names: ['gateway-a', 'gateway-b'] });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    await rm(scenariosDir, { recursive: true, force: true });
  }, 60_000);

  it('keeps one audit chain that verifies and unique request ids under 500 concurrent requests to both', async () => {
    const [a, b] = cluster.instances as [Instance, Instance];
    const submit = (on: Instance, n: number) =>
      fetch(`${on.origin}/request`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${cluster.agentToken}` },
        body: JSON.stringify({ agent: 'cluster-agent', role: 'developer', spec_id: 'SPEC-DOCS', action: 'list_dir', params: { path: n % 2 === 0 ? 'docs' : '/etc' } }),
      }).then(async (r) => (await r.json()) as { request_id?: string; status: string });
    const results: { request_id?: string; status: string }[] = [];
    const waves = 10;
    for (let w = 0; w < waves; w += 1) results.push(...(await Promise.all(Array.from({ length: 50 }, (_v, i) => submit((w * 50 + i) % 2 === 0 ? a : b, w * 50 + i)))));
    const ids = results.map((r) => r.request_id);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(500);
    const verified = await cluster.gql<{ verifyAuditChain: { ok: boolean; checked: number; firstBrokenAt: number | null } }>(b, '{ verifyAuditChain { ok checked firstBrokenAt } }');
    expect(verified.data?.verifyAuditChain).toMatchObject({ ok: true, firstBrokenAt: null });
    expect(verified.data?.verifyAuditChain.checked).toBeGreaterThanOrEqual(1000);
  }, 120_000);
});
