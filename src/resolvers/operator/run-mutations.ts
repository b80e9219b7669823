import { badInput } from '../../engine/errors.ts';
import { parseRunOverrides } from '../../engine/runs/run-params.ts';
import type { Context } from '../context.ts';

const by = (ctx: Context) => ctx.principal?.name ?? null;

export async function startRun(args: { input: { scenarioId: string; overrides?: Record<string, unknown> | null; idempotencyKey?: string | null } }, ctx: Context) {
  const { scenarioId, idempotencyKey } = args.input;
  if (idempotencyKey !== undefined && idempotencyKey !== null && (idempotencyKey.length === 0 || idempotencyKey.length > 200)) throw badInput('idempotencyKey', `must be 1 to 200 characters, got ${idempotencyKey.length}`);
  const overrides = parseRunOverrides(args.input.overrides ?? {}, 'overrides');
  const { run, deduplicated } = await ctx.runs.start({ scenarioId, overrides, idempotencyKey: idempotencyKey ?? null }, by(ctx));
  if (!deduplicated) ctx.log.info({ runId: run.runId, scenarioId }, 'run queued');
  return { run, deduplicated };
}

export async function stopRun(args: { input: { runId: string; reason?: string | null } }, ctx: Context) {
  const run = await ctx.runs.stop(args.input.runId, args.input.reason ?? null, by(ctx));
  ctx.log.info({ runId: run.runId, state: run.state }, 'run stop requested');
  return { run };
}

export async function pauseRun(args: { input: { runId: string } }, ctx: Context) {
  return { run: await ctx.runs.pause(args.input.runId) };
}

export async function resumeRun(args: { input: { runId: string } }, ctx: Context) {
  return { run: await ctx.runs.resume(args.input.runId) };
}

export async function stepRun(args: { input: { runId: string; ticks?: number | null } }, ctx: Context) {
  const ticks = args.input.ticks ?? 1;
  if (!Number.isInteger(ticks) || ticks < 1 || ticks > 1_000_000) throw badInput('ticks', `must be an integer from 1 to 1000000, got ${ticks}`);
  return { run: await ctx.runs.step(args.input.runId, ticks) };
}

export async function exportRun(args: { input: { runId: string } }, ctx: Context) {
  const link = await ctx.exportRun(args.input.runId);
  ctx.log.info({ runId: args.input.runId, exportId: link.exportId, sizeBytes: link.sizeBytes }, 'run exported');
  return { export: link };
}
