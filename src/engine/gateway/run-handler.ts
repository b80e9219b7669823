import type { ActionContext, ActionHandlerDefinition } from '../../plugins/api.ts';

export type HandlerOutcome = { ok: true; output: Record<string, unknown> } | { ok: false; output: Record<string, unknown>; message: string };

/** Runs a handler and turns every failure (throw, rejection, malformed result) into `ok: false`. */
export async function runHandler(handler: ActionHandlerDefinition<unknown>, params: unknown, ctx: ActionContext): Promise<HandlerOutcome> {
  try {
    const result = await handler.execute(params, ctx);
    if (!result || typeof result !== 'object' || typeof result.ok !== 'boolean') {
      return { ok: false, output: {}, message: `handler ${handler.action} returned no result` };
    }
    const output = { ...(result.output ?? {}) };
    return result.ok ? { ok: true, output } : { ok: false, output, message: `handler ${handler.action} reported failure` };
  } catch (err) {
    return { ok: false, output: {}, message: `handler ${handler.action} failed: ${(err as Error)?.message ?? String(err)}` };
  }
}
