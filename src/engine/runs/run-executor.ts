import { nextTurn } from '../next-turn.ts';
import type { EventStep, RequestStep, Scenario, ScenarioStep } from '../scenarios/scenario.ts';
import type { RunParams, RunProgress } from './run.ts';
import type { RunControl } from './run-control.ts';
import type { RunLogger } from './run-logger.ts';
import type { RunMetricsAccumulator } from './run-metrics.ts';
import { computeProgress } from './run-progress.ts';
import type { RunSession } from './run-session.ts';
import { effectiveExpectation, judgeStep, tagTechniqueKey, type RunStepResult, type StepTag } from './run-step-result.ts';

/** Steps handed to the store and the engine at once when the speed is `max` (a stop waits at most one chunk). */
const CHUNK_STEPS = 500;

/**
 * Events tagged between two turns of the event loop. The store needs a few main-thread turns to get
 * through a batch (each statement hops between SQLite's thread and this one); tagging a whole tick
 * in one go would hold those hops, and every subscriber, until the tick is done, so the store's
 * writes would not overlap the tagging at all.
 */
const SLICE_EVENTS = 100;

/** Busy time and work per engine part, for the run's component cards. */
export interface ExecutionStats {
  ingestMs: number;
  submitMs: number;
  storeMs: number;
  busyMs: number;
  events: number;
  requests: number;
  tags: number;
  denied: number;
  stepRows: number;
}

export interface RunExecution {
  runId: string;
  scenario: Scenario;
  params: RunParams;
  session: RunSession;
  control: RunControl;
  logger: RunLogger;
  metrics: RunMetricsAccumulator | null;
  storeSteps(steps: readonly RunStepResult[]): Promise<void>;
  onProgress(progress: RunProgress): void;
  /** Wall clock in ms (tests pass a fake). */
  now?: () => number;
}

/** The steps a run processes: the scenario's, cut to `ticksTotal × eventsPerTick`. */
export const stepsToRun = (scenario: Scenario, params: RunParams): ScenarioStep[] => scenario.steps.slice(0, params.ticksTotal * params.eventsPerTick);

function inputOf(step: ScenarioStep): Record<string, unknown> {
  return step.type === 'event' ? { ...step.event, occurredAt: step.event.occurredAt.toISOString() } : { ...step.request, tokenAgent: step.tokenAgent, tokenRoles: step.tokenRoles };
}

/**
 * Replays a scenario (issue #5 §4): ticks of `eventsPerTick` steps on a virtual clock driven by the
 * steps' event time. At `max` speed ticks run back to back in chunks; at `realtime` or a factor, each
 * tick waits until its first step's event time, scaled, has elapsed on the wall clock since the run
 * (re)started — a pause resets that anchor, so resuming never rushes to catch up. Windowed lifters
 * key on event time, so results are the same at any speed. Commands are obeyed at tick boundaries
 * (and a stop between steps of a chunk). Resolves with how it ended; an engine error rejects (FAULT).
 */
export async function executeRun(x: RunExecution): Promise<{ ended: 'COMPLETED' | 'CANCELLED'; stats: ExecutionStats; progress: RunProgress }> {
  const now = x.now ?? Date.now;
  const steps = stepsToRun(x.scenario, x.params);
  const { eventsPerTick: perTick, ticksTotal, speed } = x.params;
  const factor = speed === 'max' ? null : speed === 'realtime' ? 1 : speed;
  const stats: ExecutionStats = { ingestMs: 0, submitMs: 0, storeMs: 0, busyMs: 0, events: 0, requests: 0, tags: 0, denied: 0, stepRows: 0 };
  const sampleEvery = Math.max(1, Math.ceil(ticksTotal / 100));
  let done = 0;
  let tick = 0;
  let anchor: { wall: number; virtual: number } | null = null;
  let lastTime: Date | null = null;
  x.control.onChange(() => (anchor = null));

  const progress = (running: boolean) =>
    computeProgress({ eventsCompleted: done, eventsTotal: steps.length, ticksCompleted: tick, ticksTotal, busyMs: stats.busyMs, virtualTime: lastTime, running });

  const judge = (step: ScenarioStep, tags: StepTag[], decision: RunStepResult['decision'], reasonCode: string | null, requestId: string | null, error: string | null): RunStepResult => {
    const expect = effectiveExpectation(step.expect, x.scenario.labelsComplete);
    const sourceKind = step.type === 'event' ? step.event.sourceKind : 'agent_action';
    const sourceId = step.type === 'event' ? step.event.sourceId : (requestId ?? `step-${step.index + 1}`);
    return { index: step.index, type: step.type, at: step.at, sourceKind, sourceId, requestId, input: inputOf(step), tags, decision, reasonCode, expect: step.expect, ...judgeStep({ tags, decision, error }, expect), error };
  };

  const record = (result: RunStepResult, out: RunStepResult[]) => {
    out.push(result);
    x.metrics?.add(result);
    stats.tags += result.tags.length;
    if (result.error) x.logger.log('WARN', 'step_rejected', `step ${result.index + 1} was rejected: ${result.error}`, { index: result.index, sourceKind: result.sourceKind, sourceId: result.sourceId });
    if (result.tags.length > 0) {
      const techniques = [...new Set(result.tags.map(tagTechniqueKey))];
      x.logger.log('INFO', 'tag', `${result.sourceKind} ${result.sourceId}: ${techniques.join(', ')}`, { index: result.index, sourceId: result.sourceId, techniques, rules: [...new Set(result.tags.map((t) => t.ruleId))], verdict: result.verdict });
    }
    if (result.decision) {
      x.logger.log(result.decision === 'DENIED' ? 'WARN' : 'INFO', 'decision', `${result.requestId}: ${result.decision}${result.reasonCode ? ` (${result.reasonCode})` : ''}`, { index: result.index, requestId: result.requestId, decision: result.decision, reasonCode: result.reasonCode, expected: result.expect?.decision ?? null });
    }
  };

  /** Processes steps in order: consecutive events (up to a slice) in one ingest, each request on its own. False when told to stop. */
  const process = async (chunk: readonly ScenarioStep[], out: RunStepResult[]) => {
    for (let i = 0; i < chunk.length; ) {
      if (x.control.stopping) return false;
      const first = chunk[i] as ScenarioStep;
      if (first.type === 'event') {
        let j = i;
        while (j < chunk.length && j - i < SLICE_EVENTS && chunk[j]?.type === 'event') j += 1;
        const events = chunk.slice(i, j) as EventStep[];
        const t0 = now();
        const results = await x.session.ingest(events);
        stats.ingestMs += now() - t0;
        events.forEach((step, k) => {
          const r = results[k];
          record(judge(step, r?.tags ?? [], null, null, null, r ? r.error : 'the engine returned no result for this step'), out);
        });
        stats.events += events.length;
        done += events.length;
        lastTime = events.at(-1)?.at ?? lastTime;
        i = j;
        if (chunk[i]?.type === 'event') await nextTurn();
      } else {
        const step = first as RequestStep;
        const t0 = now();
        const r = await x.session.submit(step);
        stats.submitMs += now() - t0;
        stats.requests += 1;
        if (r.status === 'DENIED') stats.denied += 1;
        record(judge(step, r.tags, r.status, r.reasonCode, r.requestId, null), out);
        done += 1;
        lastTime = step.at;
        i += 1;
      }
    }
    return true;
  };

  // At max speed a chunk's step results and logs are written while the next chunk is tagged: the
  // store works on its own thread, so the two overlap (the session's events and tags go the same way). One write is outstanding at most; it is awaited
  // before the next, before pausing or stopping, and before the run reports its end, so a finished
  // run's rows are all stored. A failed write fails the run (FAULT) at the next await.
  let pending: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  const drain = async () => {
    await pending;
    if (failure !== null) throw failure;
  };
  const write = (out: RunStepResult[]) => {
    const t0 = now();
    return (async () => {
      // Both handed over before either is awaited, so they are stored together (run-writer.ts); the
      // chunk's requests' audit commits are on their way meanwhile, and a failed one fails the run.
      await Promise.all([out.length > 0 ? x.storeSteps(out) : null, x.logger.flush(), x.session.settled()]);
      stats.storeMs += now() - t0;
    })().catch((err: unknown) => {
      failure ??= err;
    });
  };

  while (tick < ticksTotal) {
    if (factor !== null || x.control.paused || x.control.stopping) await drain();
    if ((await x.control.gate()) === 'stop') {
      await drain();
      return { ended: 'CANCELLED', stats, progress: progress(false) };
    }
    const allowed = Math.min(x.control.ticksAllowed(), ticksTotal - tick);
    const ticksNow = factor === null ? Math.max(1, Math.min(allowed, Math.floor(CHUNK_STEPS / perTick))) : 1;
    const chunk = steps.slice(tick * perTick, (tick + ticksNow) * perTick);
    if (factor !== null && chunk[0]) {
      anchor ??= { wall: now(), virtual: chunk[0].at.getTime() };
      const due = anchor.wall + (chunk[0].at.getTime() - anchor.virtual) / factor;
      if (!(await x.control.sleep(due - now()))) continue; // a command arrived: gate again
    }
    const started = now();
    const out: RunStepResult[] = [];
    const finished = await process(chunk, out);
    stats.stepRows += out.length;
    if (!finished) {
      tick = Math.floor(done / perTick);
      await drain();
      await write(out);
      await drain();
      stats.busyMs += now() - started;
      return { ended: 'CANCELLED', stats, progress: progress(false) };
    }
    const before = tick;
    tick += ticksNow;
    for (let t = before + 1; t <= tick; t += 1) {
      if (t % sampleEvery === 0 || t === ticksTotal) x.logger.log('DEBUG', 'tick', `tick ${t} of ${ticksTotal}`, { tick: t, eventsCompleted: Math.min(done, t * perTick) });
    }
    await drain();
    pending = write(out);
    stats.busyMs += now() - started;
    x.onProgress(progress(true));
    // After the progress: a step that ends here pauses the run, and the pause is stored with these figures.
    x.control.spend(ticksNow);
    // A turn of the event loop between chunks: at max speed the run no longer waits for the store,
    // and without it subscribers (runLogs publishes a chunk's entries at once), HTTP and the store's
    // own callbacks would wait for the whole run.
    await nextTurn();
  }
  await drain();
  return { ended: 'COMPLETED', stats, progress: progress(false) };
}

