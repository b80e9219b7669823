import { randomBytes } from 'node:crypto';
import { conflict, GatehouseError } from '../errors.ts';
import { policySetHashOf } from '../governance/governance-service.ts';
import { isTerminal, type RunOverrides, type RunRecord, type RunState } from './run.ts';
import { componentCards } from './run-components.ts';
import { createRunControl, type RunControl } from './run-control.ts';
import { executeRun, stepsToRun, type ExecutionStats } from './run-executor.ts';
import { createRunLogger, type RunLogger } from './run-logger.ts';
import { createRunMetrics, type RunMetricsAccumulator } from './run-metrics.ts';
import { resolveRunParams } from './run-params.ts';
import { awaitStored, startLeaseKeeper } from './run-lease.ts';
import { computeProgress, createProgressCoalescer, type RunProgressMessage } from './run-progress.ts';
import type { RunSession } from './run-session.ts';
import { createRunWriter, type RunWriter } from './run-writer.ts';
import type { RunCommand, RunManagerDeps } from './run-manager-deps.ts';
import type { RunLogEntry } from './run-log.ts';

export type { RunCommand, RunManagerDeps } from './run-manager-deps.ts';

/** How long a stop waits for the run to reach an event boundary before it is cut off (issue #5 §3). */
export const STOP_DEADLINE_MS = 10_000;

/** How long a relayed command waits to see its effect in the store before returning what is there. */
const RELAY_WAIT_MS = STOP_DEADLINE_MS + 2000;

interface ActiveRun {
  record: RunRecord;
  control: RunControl;
  logger: RunLogger;
  metrics: RunMetricsAccumulator | null;
  session: RunSession | null;
  /** While it executes: stores its events, tags, step results and logs (run-writer.ts). */
  writer: RunWriter | null;
  stats: ExecutionStats | null;
  /** Resolves when the executor has returned (or failed). */
  finished: Promise<void>;
  /** Set once the final state is written; later writes from a cut-off executor are dropped. */
  closed: boolean;
  messages: number;
}

const runId = (at: Date) => `run_${at.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15)}_${randomBytes(3).toString('hex')}`;
const emptyProgress = (ticksTotal: number, eventsTotal: number) => computeProgress({ eventsCompleted: 0, eventsTotal, ticksCompleted: 0, ticksTotal, busyMs: 0, virtualTime: null, running: false });

/**
 * Runs replays (issue #5 §3): a FIFO queue beyond `maxConcurrentRuns`, the state machine, commands
 * (stop with a forced deadline, pause, resume, step), crash recovery, retention and live figures.
 * The record in memory is the truth for an active run; the store is written at every state change
 * and about once a second while it runs.
 */
export function createRunManager(deps: RunManagerDeps) {
  const now = deps.now ?? (() => new Date());
  const active = new Map<string, ActiveRun>();
  const queue: string[] = [];
  let running = 0;
  let disposed = false;

  const progressMessage = (r: RunRecord): RunProgressMessage => ({ runId: r.runId, state: r.state, endReason: r.endReason, progress: { ...r.progress }, at: now() });
  const coalescers = new Map<string, ReturnType<typeof createProgressCoalescer>>();
  const announce = (a: ActiveRun) => {
    let c = coalescers.get(a.record.runId);
    if (!c) coalescers.set(a.record.runId, (c = createProgressCoalescer((m) => (a.messages += 1, deps.publishProgress(m)))));
    c.offer(progressMessage(a.record));
  };
  const save = (a: ActiveRun) => deps.store.update(a.record).catch((err) => deps.onError(err, `could not store run ${a.record.runId}`));
  const withLive = (a: ActiveRun): RunRecord => ({
    ...a.record,
    metrics: a.record.metrics ?? a.metrics?.summary(a.session?.lifterErrors() ?? 0) ?? null,
    components: a.stats ? cards(a) : a.record.components,
  });
  const cards = (a: ActiveRun) =>
    componentCards({ listed: a.record.snapshot?.components ?? [], stats: a.stats as ExecutionStats, lifterErrors: a.session?.lifterErrors() ?? 0, logRows: a.logger.written, messages: a.messages, lifterRules: deps.lifterRules() });

  /** Writes the final state once; a run cut off by the stop deadline keeps the state it was given. */
  const close = async (a: ActiveRun, state: RunState, endReason: RunRecord['endReason'], message: string | null) => {
    if (a.closed) return;
    a.closed = true;
    const r = a.record;
    // The final state is stored before the record in memory shows it, so whoever reads the run as
    // ended (run, state, runProgress) also finds it ended in the store (runs, dashboard counts).
    const final: RunRecord = { ...r, state, endReason, message, endedAt: now() };
    if (a.metrics && final.metrics === null) final.metrics = a.metrics.summary(a.session?.lifterErrors() ?? 0);
    if (a.stats) final.components = cards(a);
    const type = state === 'COMPLETED' ? 'run_completed' : state === 'CANCELLED' ? 'run_cancelled' : 'run_fault';
    a.logger.log(state === 'FAULT' ? 'ERROR' : 'INFO', type, `run ${state.toLowerCase()}${message ? `: ${message}` : ''}`, { state, endReason, eventsCompleted: r.progress.eventsCompleted });
    a.logger.seal();
    await a.logger.flush().catch((err) => deps.onError(err, `could not store the last logs of ${r.runId}`));
    await deps.store.update(final).catch((err) => deps.onError(err, `could not store run ${r.runId}`));
    Object.assign(r, final);
    announce(a);
    coalescers.get(r.runId)?.flush();
    coalescers.get(r.runId)?.dispose();
    coalescers.delete(r.runId);
    active.delete(r.runId);
    if (r.startedAt) running -= 1;
    void applyRetention();
    pump();
  };

  const applyRetention = async () => {
    try {
      for (const id of await deps.store.detailBeyond(deps.retainDetail)) {
        await deps.store.purgeDetail(id);
        const r = await deps.store.get(id);
        if (r) await deps.store.update({ ...r, detailRetained: false });
      }
    } catch (err) {
      deps.onError(err, 'run retention failed');
    }
  };

  const launch = async (a: ActiveRun) => {
    const r = a.record;
    const scenario = deps.scenario(r.scenarioId);
    running += 1;
    r.startedAt = now();
    if (!scenario) return close(a, 'FAULT', 'scenario_unavailable', `scenario ${r.scenarioId} is no longer loaded`);
    try {
      const governance = deps.governance.snapshot(r.overrides.governancePreset !== undefined ? r.overrides.governancePreset : scenario.governancePreset);
      const { policyHash, rulePackHash } = deps.hashes();
      r.snapshot = { governance, rulePackHash, policyHash, scenarioHash: scenario.hash, policySetHash: policySetHashOf({ policyHash, rulePackHash, governanceHash: governance.hash }), components: scenario.components, ruleStates: deps.ruleStates() };
      r.state = a.control.paused ? 'PAUSED' : 'RUNNING';
      a.metrics = r.params.metricsEnabled ? createRunMetrics({ labelsComplete: scenario.labelsComplete, ruleEmits: deps.ruleEmits() }) : null;
      const writer = (a.writer = createRunWriter((batch) => deps.store.appendBatch(r.runId, batch)));
      a.session = await deps.openSession(r, scenario, writer);
      a.logger.log('INFO', 'run_started', `run started: ${scenario.name} (${r.progress.eventsTotal} steps, ${r.params.ticksTotal} ticks, speed ${r.params.speed})`, { scenarioHash: scenario.hash, policySetHash: r.snapshot.policySetHash, governanceRevision: governance.revision, preset: governance.preset });
      await deps.store.update(r);
      announce(a);
      let lastSave = Date.now();
      const result = await executeRun({
        runId: r.runId,
        scenario,
        params: r.params,
        session: a.session,
        control: a.control,
        logger: a.logger,
        metrics: a.metrics,
        storeSteps: (steps) => writer.add({ steps }),
        onProgress: (progress) => {
          if (a.closed) return;
          r.progress = progress;
          announce(a);
          if (Date.now() - lastSave >= 1000) {
            lastSave = Date.now();
            void save(a);
          }
        },
      });
      a.stats = result.stats;
      if (a.closed) return;
      r.progress = result.progress;
      if (result.ended === 'COMPLETED') await close(a, 'COMPLETED', null, null);
      else await close(a, 'CANCELLED', 'stopped', r.message);
    } catch (err) {
      deps.onError(err, `run ${r.runId} failed`);
      await close(a, 'FAULT', 'engine_error', (err as Error).message ?? String(err));
    }
  };

  function pump() {
    while (!disposed && running < deps.maxConcurrentRuns && queue.length > 0) {
      const a = active.get(queue.shift() as string);
      if (!a || a.closed) continue;
      a.finished = launch(a).catch((err) => deps.onError(err, 'run launch failed'));
    }
  }

  const find = (id: string): ActiveRun => {
    const a = active.get(id);
    if (!a) throw new GatehouseError('NOT_FOUND', `no active run ${JSON.stringify(id)}`, { type: 'Run', id });
    return a;
  };
  const stored = async (id: string) => {
    const r = await deps.store.get(id);
    if (!r) throw new GatehouseError('NOT_FOUND', `no run ${JSON.stringify(id)}`, { type: 'Run', id });
    return r;
  };
  const track = (record: RunRecord, lastSeq: number): ActiveRun => {
    // Log entries go with the run's other rows while it executes; before that, and after a failed
    // write (the run is ending FAULT and its last entries should still be kept), on their own.
    const storeLogs = (entries: readonly RunLogEntry[]) => (a.writer && a.writer.failure === null ? a.writer.add({ logs: entries }) : deps.store.appendLogs(entries));
    const a: ActiveRun = { record, control: createRunControl(), logger: createRunLogger({ runId: record.runId, enabled: record.params.loggingEnabled, store: storeLogs, publish: deps.publishLog, now, lastSeq }), metrics: null, session: null, writer: null, stats: null, finished: Promise.resolve(), closed: false, messages: 0 };
    a.control.onChange(() => {
      if (a.closed || !a.record.startedAt) return;
      const state: RunState = a.control.paused && !a.control.stepping ? 'PAUSED' : 'RUNNING';
      if (state === a.record.state) return;
      a.record.state = state;
      void save(a);
      announce(a);
    });
    active.set(record.runId, a);
    return a;
  };

  /** Ends a run nobody executes any more (a crash, an expired lease) FAULT (interrupted), with a log entry. */
  const interruptStored = async (r: RunRecord, message: string) => {
    await deps.store.update({ ...r, state: 'FAULT', endReason: 'interrupted', message, endedAt: now() });
    const seq = (await deps.store.countLogs(r.runId, {})) + 1;
    await deps.store.appendLogs([{ runId: r.runId, seq, timestamp: now(), level: 'ERROR', eventType: 'run_fault', message: `run fault: ${message}`, payload: { state: 'FAULT', endReason: 'interrupted', eventsCompleted: r.progress.eventsCompleted, owner: r.owner } }]);
    deps.publishProgress({ runId: r.runId, state: 'FAULT', endReason: 'interrupted', progress: r.progress, at: now() });
  };

  const stopLeases = deps.lease
    ? startLeaseKeeper({ store: deps.store, instance: deps.instance, leaseMs: deps.lease.ms, now, held: () => [...active.keys()], interrupt: interruptStored, onError: deps.onError })
    : () => {};

  /** Sends a command to the run's owner and waits until the store shows its effect (or a deadline). */
  const relayed = (r: RunRecord, command: RunCommand, done: (r: RunRecord) => boolean): Promise<RunRecord> => {
    deps.relay?.send(command);
    return awaitStored(deps.store, r, done, RELAY_WAIT_MS);
  };
  const remote = (r: RunRecord) => deps.relay !== undefined && !isTerminal(r.state) && r.owner !== null && r.owner !== deps.instance;

  deps.relay?.listen((c) => {
    if (!active.has(c.runId) || c.from === deps.instance) return;
    const run = c.command === 'stop' ? manager.stop(c.runId, c.reason ?? null, c.by ?? null) : c.command === 'pause' ? manager.pause(c.runId) : c.command === 'resume' ? manager.resume(c.runId) : manager.step(c.runId, c.ticks ?? 1);
    run.catch((err) => deps.onError(err, `relayed ${c.command} of ${c.runId} failed`));
  });

  const manager = {
    /** Queues a run; with an idempotency key a repeat from the same caller returns the first run. */
    async start(input: { scenarioId: string; overrides: RunOverrides; idempotencyKey: string | null }, by: string | null): Promise<{ run: RunRecord; deduplicated: boolean }> {
      if (input.idempotencyKey) {
        const existing = await deps.store.byIdempotencyKey(input.idempotencyKey, by);
        if (existing) return { run: active.has(existing.runId) ? withLive(find(existing.runId)) : existing, deduplicated: true };
      }
      const scenario = deps.scenario(input.scenarioId);
      if (!scenario) throw new GatehouseError('NOT_FOUND', `no scenario ${JSON.stringify(input.scenarioId)} is loaded`, { type: 'Scenario', id: input.scenarioId });
      const params = resolveRunParams(scenario, input.overrides);
      const preset = input.overrides.governancePreset !== undefined ? input.overrides.governancePreset : scenario.governancePreset;
      const snapshot = deps.governance.snapshot(preset); // validates the preset now, not when the run leaves the queue
      const total = stepsToRun(scenario, params).length;
      if (total > snapshot.settings.budgets.maxEventsPerRun) {
        throw conflict('run_too_large', `scenario ${scenario.id} would replay ${total} steps; the governance budget maxEventsPerRun is ${snapshot.settings.budgets.maxEventsPerRun}`);
      }
      const at = now();
      const record: RunRecord = {
        runId: runId(at),
        scenarioId: scenario.id,
        scenarioName: scenario.name,
        state: 'QUEUED',
        endReason: null,
        message: null,
        overrides: input.overrides,
        params,
        snapshot: null,
        progress: emptyProgress(params.ticksTotal, total),
        metrics: null,
        components: [],
        createdAt: at,
        startedAt: null,
        endedAt: null,
        startedBy: by,
        idempotencyKey: input.idempotencyKey,
        detailRetained: true,
        owner: deps.instance,
      };
      await deps.store.insert(record);
      if (deps.lease) await deps.store.renewLeases(deps.instance, [record.runId], new Date(at.getTime() + deps.lease.ms));
      const a = track(record, 0);
      a.logger.log('INFO', 'run_queued', `run queued for scenario ${scenario.id}${by ? ` by ${by}` : ''}`, { scenarioId: scenario.id, overrides: input.overrides });
      await a.logger.flush();
      announce(a);
      queue.push(record.runId);
      const queued = withLive(a); // as it was accepted; runProgress reports RUNNING once it leaves the queue
      pump();
      return { run: queued, deduplicated: false };
    },

    /** Cooperative at a step boundary; after STOP_DEADLINE_MS the run is cut off (`forced`). Idempotent on a cancelled run. */
    async stop(id: string, reason: string | null, by: string | null): Promise<RunRecord> {
      const a = active.get(id);
      if (!a) {
        const r = await stored(id);
        if (r.state === 'CANCELLED') return r;
        if (remote(r)) return relayed(r, { runId: id, command: 'stop', reason, by, from: deps.instance }, (x) => isTerminal(x.state));
        throw conflict('run_not_active', `run ${id} is ${r.state}; it can no longer be stopped`);
      }
      const message = `stopped by ${by ?? 'an operator'}${reason ? `: ${reason}` : ''}`;
      a.record.message = message;
      if (!a.record.startedAt) {
        await close(a, 'CANCELLED', 'stopped', message);
        return a.record;
      }
      a.control.stop();
      let timer: NodeJS.Timeout | undefined;
      const deadlineMs = deps.stopDeadlineMs ?? STOP_DEADLINE_MS;
      const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), deadlineMs)));
      const outcome = await Promise.race([a.finished.then(() => 'done' as const), deadline]);
      clearTimeout(timer);
      if (outcome === 'late') await close(a, 'CANCELLED', 'forced', `${message} (cut off after ${deadlineMs / 1000} s without reaching a step boundary)`);
      return a.record;
    },

    async pause(id: string): Promise<RunRecord> {
      const a = active.get(id);
      if (!a) {
        const r = await stored(id);
        if (remote(r) && r.state === 'RUNNING') return relayed(r, { runId: id, command: 'pause', from: deps.instance }, (x) => x.state !== 'RUNNING');
      }
      if (!a || a.record.state !== 'RUNNING' || a.control.stepping) throw conflict('run_not_running', `run ${id} is ${a?.record.state ?? (await stored(id)).state}, not RUNNING`);
      a.control.pause();
      a.logger.log('INFO', 'run_paused', 'run paused', { eventsCompleted: a.record.progress.eventsCompleted });
      return withLive(a);
    },

    async resume(id: string): Promise<RunRecord> {
      const a = active.get(id);
      if (!a) {
        const r = await stored(id);
        if (remote(r) && r.state === 'PAUSED') return relayed(r, { runId: id, command: 'resume', from: deps.instance }, (x) => x.state !== 'PAUSED');
      }
      if (!a || !a.control.paused) throw conflict('run_not_paused', `run ${id} is ${a?.record.state ?? (await stored(id)).state}, not PAUSED`);
      a.control.resume();
      a.logger.log('INFO', 'run_resumed', 'run resumed', { eventsCompleted: a.record.progress.eventsCompleted });
      return withLive(a);
    },

    /** While paused: runs `ticks` more ticks, then pauses again. */
    async step(id: string, ticks: number): Promise<RunRecord> {
      const a = active.get(id);
      if (!a) {
        const r = await stored(id);
        if (remote(r) && r.state === 'PAUSED') return relayed(r, { runId: id, command: 'step', ticks, from: deps.instance }, (x) => x.progress.ticksCompleted >= Math.min(r.progress.ticksCompleted + ticks, x.progress.ticksTotal) || isTerminal(x.state));
      }
      if (!a || !a.control.paused) throw conflict('run_not_paused', `run ${id} is ${a?.record.state ?? (await stored(id)).state}, not PAUSED`);
      a.control.step(ticks);
      a.logger.log('INFO', 'run_stepped', `stepping ${ticks} tick${ticks === 1 ? '' : 's'}`, { ticks, ticksCompleted: a.record.progress.ticksCompleted });
      return withLive(a);
    },

    /** The run with live figures when it is active here, else as stored. */
    async get(id: string): Promise<RunRecord | null> {
      const a = active.get(id);
      return a ? withLive(a) : deps.store.get(id);
    },

    /** Runs this instance is executing or queueing. */
    active: (): RunRecord[] => [...active.values()].map(withLive),

    /**
     * Start-up (issue #5 §3): a run left RUNNING or PAUSED by a crash becomes FAULT (`interrupted`);
     * runs still QUEUED go back into the queue in their order.
     */
    async recover(): Promise<{ interrupted: string[]; requeued: string[] }> {
      const interrupted: string[] = [];
      const requeued: string[] = [];
      for (const r of await deps.store.unfinished()) {
        // Scale-out: another instance's runs are its own; the lease sweeper ends them if it died.
        if (deps.lease && r.owner !== null && r.owner !== deps.instance) continue;
        if (r.state === 'QUEUED') {
          track(r, await deps.store.countLogs(r.runId, {})); // seqs run 1..n without holes
          queue.push(r.runId);
          requeued.push(r.runId);
          continue;
        }
        await interruptStored(r, 'the server stopped while the run was in progress');
        interrupted.push(r.runId);
      }
      pump();
      return { interrupted, requeued };
    },

    /**
     * Server shutdown: started runs end FAULT (`interrupted`), as a crash would leave them; queued runs
     * stay queued and start after the next start-up.
     */
    async dispose(): Promise<void> {
      disposed = true;
      stopLeases();
      const started = [...active.values()].filter((a) => a.record.startedAt);
      for (const a of started) a.control.stop();
      await Promise.all(started.map((a) => close(a, 'FAULT', 'interrupted', 'the server stopped while the run was in progress').catch((err) => deps.onError(err, 'closing a run on shutdown failed'))));
      await Promise.all(started.map((a) => a.finished));
    },
  };
  return manager;
}

export type RunManager = ReturnType<typeof createRunManager>;
