import type { Readiness } from '../../engine/readiness/readiness.ts';
import type { Context } from '../context.ts';

/** The latest probe results; probes run on a timer, so a query never waits on a slow subsystem. */
export async function readiness(_args: unknown, ctx: Context): Promise<Readiness> {
  return ctx.readiness.current() ?? (await ctx.readiness.refresh()).readiness;
}
