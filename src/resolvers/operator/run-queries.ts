import { badInput } from '../../engine/errors.ts';
import { isTimeIdKey, parsePageArgs, toConnection, type PageArgs } from '../../engine/pagination.ts';
import type { RunFilter, RunOrder, RunRecord } from '../../engine/runs/run.ts';
import type { RunLogFilter } from '../../engine/runs/run-log.ts';
import type { Context } from '../context.ts';

/** Run history (issue #5 §9): newest first by default; active runs carry their live figures. */
export async function runs(args: PageArgs & { filter?: RunFilter | null; orderBy?: RunOrder | null }, ctx: Context) {
  const filter: RunFilter = { ...(args.filter ?? {}) };
  if (filter.since && filter.until && filter.since > filter.until) throw badInput('filter.until', 'must not be before filter.since');
  const order = args.orderBy ?? 'CREATED_DESC';
  const page = parsePageArgs(args, { list: 'runs', filter, order }, isTimeIdKey);
  const [rows, total] = await Promise.all([ctx.runStore.list(filter, order, page.after, page.limit + 1), ctx.runStore.count(filter)]);
  const live = new Map(ctx.runs.active().map((r) => [r.runId, r]));
  const merged = rows.map((r) => live.get(r.runId) ?? r);
  return toConnection(page, merged, (r) => [r.createdAt.toISOString(), r.runId] as [string, string], total);
}

export function run(args: { runId: string }, ctx: Context): Promise<RunRecord | null> {
  return ctx.runs.get(args.runId);
}

const isSeqKey = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** A run's log, oldest first, filtered and paged by seq. */
export async function runLogs(args: PageArgs & { runId: string; filter?: RunLogFilter | null }, ctx: Context) {
  const filter: RunLogFilter = { ...(args.filter ?? {}) };
  if (filter.since && filter.until && filter.since > filter.until) throw badInput('filter.until', 'must not be before filter.since');
  const page = parsePageArgs(args, { list: 'runLogs', runId: args.runId, filter, order: 'seq asc' }, isSeqKey);
  const [rows, total] = await Promise.all([ctx.runStore.logs(args.runId, filter, page.after ?? 0, page.limit + 1), ctx.runStore.countLogs(args.runId, filter)]);
  return toConnection(page, rows, (e) => e.seq, total);
}
