import type { Readiness } from '../../engine/readiness/readiness.ts';
import type { Context } from '../context.ts';

/** Sends the current readiness first, then every change (the registry publishes only on change). */
export async function* readinessChanged(_args: unknown, ctx: Context): AsyncGenerator<Readiness> {
  const changes = ctx.bus.subscribe('readinessChanged', { signal: ctx.signal });
  try {
    yield ctx.readiness.current() ?? (await ctx.readiness.refresh()).readiness;
    for await (const readiness of changes) yield readiness;
  } finally {
    await changes.return?.();
  }
}
