import type { Context } from '../context.ts';

export function serverInfo(_args: unknown, ctx: Context) {
  const uptimeSeconds = Math.floor((Date.now() - ctx.server.startedAt.getTime()) / 1000);
  return { ...ctx.server, uptimeSeconds };
}
