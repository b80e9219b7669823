import { badInput, GatehouseError } from '../../engine/errors.ts';
import { isTerminal } from '../../engine/runs/run.ts';
import { logMatches, type RunLogEntry, type RunLogLevel } from '../../engine/runs/run-log.ts';
import type { RunProgressMessage } from '../../engine/runs/run-progress.ts';
import type { Context } from '../context.ts';

const PAGE = 500;
const ENDINGS = new Set(['run_completed', 'run_cancelled', 'run_fault']);

async function requireRun(runId: string, ctx: Context) {
  const run = await ctx.runs.get(runId);
  if (!run) throw new GatehouseError('NOT_FOUND', `no run ${JSON.stringify(runId)}`, { type: 'Run', id: runId });
  return run;
}

/**
 * A run's progress (issue #5 §5): the current figures first, then every coalesced message; the
 * stream completes after the message that reports a terminal state.
 */
export async function* runProgress(args: { runId: string }, ctx: Context): AsyncGenerator<RunProgressMessage> {
  const live = ctx.bus.subscribe('runProgress', { signal: ctx.signal });
  try {
    const run = await requireRun(args.runId, ctx);
    yield { runId: run.runId, state: run.state, endReason: run.endReason, progress: run.progress, at: new Date() };
    if (isTerminal(run.state)) return;
    for await (const message of live) {
      if (message.runId !== args.runId) continue;
      yield message;
      if (isTerminal(message.state)) return;
    }
  } finally {
    await live.return?.();
  }
}

/**
 * A run's log as a stream (issue #5 §6): entries with seq > `after` (default 0: the whole log) are
 * replayed from the store, then live entries follow; it subscribes before reading and skips by seq,
 * so nothing is missed or repeated. The stream completes after the run's final entry.
 */
export async function* runLogStream(args: { runId: string; minLevel?: RunLogLevel | null; after?: number | null }, ctx: Context): AsyncGenerator<RunLogEntry> {
  const after = args.after ?? 0;
  if (!Number.isInteger(after) || after < 0) throw badInput('after', `must be the seq of an entry already seen (0 or more), got ${after}`);
  const filter = { minLevel: args.minLevel ?? null };
  const live = ctx.bus.subscribe('runLogs', { signal: ctx.signal });
  try {
    await requireRun(args.runId, ctx);
    let last = after;
    let ended = false;
    const replay = async function* () {
      for (;;) {
        const page = await ctx.runStore.logs(args.runId, {}, last, PAGE);
        for (const entry of page) {
          last = entry.seq;
          ended ||= ENDINGS.has(entry.eventType);
          if (logMatches(entry, filter)) yield entry;
        }
        if (page.length < PAGE) return;
      }
    };
    yield* replay();
    if (ended) return;
    if (isTerminal((await requireRun(args.runId, ctx)).state)) {
      yield* replay(); // whatever was written while the first pass read
      return;
    }
    for await (const entry of live) {
      if (entry.runId !== args.runId || entry.seq <= last) continue;
      last = entry.seq;
      if (logMatches(entry, filter)) yield entry;
      if (ENDINGS.has(entry.eventType)) return;
    }
  } finally {
    await live.return?.();
  }
}
