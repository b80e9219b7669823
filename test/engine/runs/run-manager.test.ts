import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGovernanceService } from '../../../src/engine/governance/governance-service.ts';
import type { RunProgressMessage } from '../../../src/engine/runs/run-progress.ts';
import { createRunManager, type RunManagerDeps } from '../../../src/engine/runs/run-manager.ts';
import type { RunRecord } from '../../../src/engine/runs/run.ts';
import type { RunSession } from '../../../src/engine/runs/run-session.ts';
import type { RunStore } from '../../../src/engine/runs/run-store.ts';
import type { Scenario } from '../../../src/engine/scenarios/scenario.ts';
import { createDatabase, type Database } from '../../../src/persistence/database.ts';
import { createRunRepository } from '../../../src/persistence/repositories/run-repository.ts';
import { eventually } from '../../helpers/tagging.ts';
import { eventStep, memoryGovernanceStore, scenarioOf, SETTINGS, tag } from './run-fixtures.ts';

/** A session that tags `cat /etc/shadow` and can be told to fail or hang. */
function fakeSession(behaviour: { fail?: string; hang?: Promise<void>; entered?: () => void; unaudited?: string } = {}): RunSession {
  return {
    async ingest(steps) {
      behaviour.entered?.();
      if (behaviour.fail) throw new Error(behaviour.fail);
      if (behaviour.hang) await behaviour.hang;
      return steps.map((s) => ({ tags: String((s.event.payload as { command_text?: string }).command_text).includes('shadow') ? [tag('R1001', 'T1003', 'T1003.008')] : [], error: null }));
    },
    async submit() {
      return { requestId: 'req_1', status: 'APPROVED', reasonCode: null, tags: [] };
    },
    async settled() {
      if (behaviour.unaudited) throw new Error(behaviour.unaudited);
    },
    lifterErrors: () => 0,
  };
}

describe('the run manager', () => {
  let dir: string;
  let db: Database;
  let store: RunStore;
  let progress: RunProgressMessage[];
  const scenarios = new Map<string, Scenario>();
  let session: () => RunSession;

  const manager = (over: Partial<RunManagerDeps> = {}) =>
    createRunManager({
      store,
      scenario: (id) => scenarios.get(id),
      governance: createGovernanceService({ store: memoryGovernanceStore(), defaults: () => SETTINGS, presets: () => [{ name: 'default', description: '', patch: {}, source: 'built-in' }], hashes: () => ({ policyHash: 'p', rulePackHash: 'r' }) }),
      hashes: () => ({ policyHash: 'p', rulePackHash: 'r' }),
      ruleStates: () => [{ ruleId: 'R9', state: 'disabled', confidenceMax: null }],
      ruleEmits: () => new Map([['R1001', [{ techniqueId: 'T1003', subTechniqueId: 'T1003.008' }]]]),
      lifterRules: () => 0,
      openSession: async () => session(),
      publishProgress: (m) => progress.push(m),
      publishLog: () => {},
      maxConcurrentRuns: 1,
      retainDetail: 20,
      instance: 'test',
      onError: () => {},
      ...over,
    });
  const ended = (m: ReturnType<typeof manager>, runId: string) => eventually(async () => ['COMPLETED', 'CANCELLED', 'FAULT'].includes((await m.get(runId))?.state ?? ''), 5000);

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-runs-'));
    db = await createDatabase({ url: ':memory:', dataDir: dir });
    await db.migrate();
    store = createRunRepository(() => db.fork());
    progress = [];
    session = () => fakeSession();
    scenarios.set('test', scenarioOf([eventStep(0, 'cat /etc/shadow', { techniques: ['T1003.008'], decision: null }), eventStep(1, 'ls'), eventStep(2, 'id', { techniques: [], decision: null })]));
  });
  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('completes a run with exact progress, metrics and a frozen snapshot', async () => {
    const m = manager();
    const { run } = await m.start({ scenarioId: 'test', overrides: {}, idempotencyKey: null }, 'tester');
    expect(run.state).toBe('QUEUED');
    await ended(m, run.runId);
    const done = (await store.get(run.runId)) as RunRecord;
    expect(done).toMatchObject({ state: 'COMPLETED', endReason: null, progress: { eventsCompleted: 3, eventsTotal: 3, ticksCompleted: 2, ticksTotal: 2, progress: 1 } });
    expect(done.snapshot).toMatchObject({ rulePackHash: 'r', policyHash: 'p', scenarioHash: 'a'.repeat(64), governance: { revision: 0, preset: null }, ruleStates: [{ ruleId: 'R9', state: 'disabled', confidenceMax: null }] });
    expect(done.metrics?.overall).toMatchObject({ truePositives: 1, falsePositives: 0, falseNegatives: 0 });
    expect((await store.steps(run.runId, -1, 10)).map((s) => s.verdict)).toEqual(['TRUE_POSITIVE', 'UNLABELLED', 'TRUE_NEGATIVE']);
    expect(progress.at(-1)).toMatchObject({ runId: run.runId, state: 'COMPLETED' });
  });

  it('queues runs beyond maxConcurrentRuns and starts them in FIFO order', async () => {
    let release: () => void = () => {};
    const hang = new Promise<void>((resolve) => (release = resolve));
    session = () => fakeSession({ hang });
    const m = manager();
    const first = (await m.start({ scenarioId: 'test', overrides: {}, idempotencyKey: null }, null)).run;
    const second = (await m.start({ scenarioId: 'test', overrides: {}, idempotencyKey: null }, null)).run;
    const third = (await m.start({ scenarioId: 'test', overrides: {}, idempotencyKey: null }, null)).run;
    await eventually(async () => (await m.get(first.runId))?.state === 'RUNNING');
    expect((await m.get(second.runId))?.state).toBe('QUEUED');
    expect((await m.get(third.runId))?.state).toBe('QUEUED');
    release();
    await ended(m, third.runId);
    const started = await Promise.all([first, second, third].map(async (r) => (await store.get(r.runId))?.startedAt?.getTime() ?? 0));
    expect(started).toEqual([...started].sort((a, b) => a - b));
  });

  it('returns the first run for a repeated idempotency key from the same caller', async () => {
    const m = manager();
    const a = await m.start({ scenarioId: 'test', overrides: {}, idempotencyKey: 'k1' }, 'tester');
    const b = await m.start({ scenarioId: 'test', overrides: {}, idempotencyKey: 'k1' }, 'tester');
    expect(b).toMatchObject({ deduplicated: true, run: { runId: a.run.runId } });
    await ended(m, a.run.runId);
  });

  it('refuses a scenario larger than the maxEventsPerRun budget with run_too_large', async () => {
    scenarios.set('big', scenarioOf(Array.from({ length: 1001 }, (_v, i) => eventStep(i, 'ls')), { id: 'big' }));
    await expect(manager().start({ scenarioId: 'big', overrides: {}, idempotencyKey: null }, null)).rejects.toMatchObject({ code: 'CONFLICT', details: { reason: 'run_too_large' } });
  });

  it('ends a run FAULT (engine_error) with the message when the engine throws', async () => {
    session = () => fakeSession({ fail: 'the tag store is gone' });
    const m = manager();
    const { run } = await m.start({ scenarioId: 'test', overrides: {}, idempotencyKey: null }, null);
    await ended(m, run.runId);
    expect(await store.get(run.runId)).toMatchObject({ state: 'FAULT', endReason: 'engine_error', message: 'the tag store is gone' });
  });

  it('ends a run FAULT when a request it went on from could not be audited', async () => {
    session = () => fakeSession({ unaudited: 'request req_1 was decided APPROVED but ended DENIED (audit_unavailable)' });
    const m = manager();
    const { run } = await m.start({ scenarioId: 'test', overrides: {}, idempotencyKey: null }, null);
    await ended(m, run.runId);
    expect(await store.get(run.runId)).toMatchObject({ state: 'FAULT', message: 'request req_1 was decided APPROVED but ended DENIED (audit_unavailable)' });
  });

  it('cuts off a stop that cannot reach a step boundary at the deadline (forced)', async () => {
    let inside = false;
    session = () => fakeSession({ hang: new Promise(() => {}), entered: () => (inside = true) });
    const m = manager({ stopDeadlineMs: 200 });
    const { run } = await m.start({ scenarioId: 'test', overrides: {}, idempotencyKey: null }, null);
    await eventually(() => inside);
    const stopped = await m.stop(run.runId, 'stuck', 'tester');
    expect(stopped).toMatchObject({ state: 'CANCELLED', endReason: 'forced' });
    expect(stopped.message).toContain('cut off after 0.2 s');
  });

  it('cancels a queued run at once and treats a second stop as done', async () => {
    session = () => fakeSession({ hang: new Promise(() => {}) });
    const m = manager({ stopDeadlineMs: 100 });
    const first = (await m.start({ scenarioId: 'test', overrides: {}, idempotencyKey: null }, null)).run;
    const queued = (await m.start({ scenarioId: 'test', overrides: {}, idempotencyKey: null }, null)).run;
    expect(await m.stop(queued.runId, null, 'tester')).toMatchObject({ state: 'CANCELLED', endReason: 'stopped', startedAt: null });
    expect(await m.stop(queued.runId, null, 'tester')).toMatchObject({ state: 'CANCELLED' });
    await m.stop(first.runId, null, null);
  });

  it('marks runs left RUNNING by a crash FAULT (interrupted) at start-up and requeues QUEUED ones', async () => {
    const crashed = manager();
    const { run } = await crashed.start({ scenarioId: 'test', overrides: {}, idempotencyKey: null }, null);
    await ended(crashed, run.runId);
    const base = (await store.get(run.runId)) as RunRecord;
    await store.insert({ ...base, runId: 'run_crashed', state: 'RUNNING', endedAt: null, metrics: null, idempotencyKey: null });
    await store.insert({ ...base, runId: 'run_waiting', state: 'QUEUED', startedAt: null, endedAt: null, snapshot: null, metrics: null, idempotencyKey: null, createdAt: new Date(base.createdAt.getTime() + 1) });
    const restarted = manager();
    expect(await restarted.recover()).toEqual({ interrupted: ['run_crashed'], requeued: ['run_waiting'] });
    expect(await store.get('run_crashed')).toMatchObject({ state: 'FAULT', endReason: 'interrupted' });
    expect((await store.logs('run_crashed', {}, 0, 10)).at(-1)).toMatchObject({ eventType: 'run_fault', level: 'ERROR' });
    await ended(restarted, 'run_waiting');
    expect((await store.get('run_waiting'))?.state).toBe('COMPLETED');
  });

  it('keeps detail for the newest runs only and the summary of every run', async () => {
    const m = manager({ retainDetail: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { run } = await m.start({ scenarioId: 'test', overrides: {}, idempotencyKey: null }, null);
      await ended(m, run.runId);
      ids.push(run.runId);
    }
    await eventually(async () => (await store.get(ids[0] as string))?.detailRetained === false && (await store.get(ids[1] as string))?.detailRetained === false);
    expect(await store.steps(ids[0] as string, -1, 10)).toEqual([]);
    expect((await store.get(ids[0] as string))?.metrics?.overall.truePositives).toBe(1);
    expect(await store.steps(ids[2] as string, -1, 10)).toHaveLength(3);
  });
});
