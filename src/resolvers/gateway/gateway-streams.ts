import { badInput } from '../../engine/errors.ts';
import type { GatewayRequestRecord } from '../../engine/gateway/gateway-request.ts';
import type { Context } from '../context.ts';
import type { GatewayDecisionMessage } from './gateway-context.ts';

export interface GatewayDecisionFilter {
  agent?: string | null;
  status?: GatewayRequestRecord['status'] | null;
  action?: string | null;
}

const REPLAY_KINDS = new Set(['decision', 'approval_requested', 'approval_decided']);
const PAGE = 500;

const matches = (r: GatewayRequestRecord, f: GatewayDecisionFilter) =>
  r.runId === null && (!f.agent || r.agent === f.agent) && (!f.status || r.status === f.status) && (!f.action || r.action === f.action);

/**
 * Gateway decisions as they happen. With `after` (a message's cursor, which is the audit position of
 * the decision) it replays later decisions from the audit log first, then continues live, with no gap
 * and no duplicate: it subscribes before reading and skips live messages it already replayed. (Live
 * decisions are published when their action finishes, so they need not arrive in cursor order: the
 * skip is by identity, not by "not newer than the last one".)
 */
export async function* gatewayDecisions(args: { filter?: GatewayDecisionFilter | null; after?: string | null }, ctx: Context): AsyncGenerator<GatewayDecisionMessage> {
  const filter = args.filter ?? {};
  let last: number | null = null;
  if (args.after !== undefined && args.after !== null) {
    if (!/^\d{1,15}$/.test(args.after)) throw badInput('after', `must be a cursor from a previous gatewayDecisions message, got ${JSON.stringify(args.after)}`);
    last = Number(args.after);
  }
  const replayed = new Set<number>();
  const live = ctx.bus.subscribe('gatewayDecisions', { signal: ctx.signal });
  try {
    if (last !== null) {
      for (;;) {
        const entries = await ctx.audit.entriesAfter(last, PAGE);
        for (const entry of entries) {
          last = entry.seq;
          if (!REPLAY_KINDS.has(entry.kind) || entry.runId !== null || !entry.requestId) continue;
          const request = await ctx.gatewayRequests.get(entry.requestId);
          replayed.add(entry.seq);
          if (request && matches(request, filter)) yield { seq: entry.seq, request };
        }
        if (entries.length < PAGE) break;
      }
    }
    const start = args.after === undefined || args.after === null ? null : Number(args.after);
    for await (const message of live) {
      if ((start !== null && message.seq <= start) || replayed.has(message.seq)) continue;
      if (matches(message.request, filter)) yield message;
    }
  } finally {
    await live.return?.();
  }
}

export async function* approvalRequested(_args: unknown, ctx: Context): AsyncGenerator<GatewayRequestRecord> {
  const live = ctx.bus.subscribe('approvalRequested', { signal: ctx.signal });
  try {
    for await (const request of live) if (request.runId === null) yield request;
  } finally {
    await live.return?.();
  }
}
