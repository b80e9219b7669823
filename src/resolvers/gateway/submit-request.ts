import { badInput } from '../../engine/errors.ts';
import type { GatewayRequestInput } from '../../engine/gateway/decision.ts';
import type { GatewayRequestRecord } from '../../engine/gateway/gateway-request.ts';
import type { Context } from '../context.ts';
import { originOf } from './gateway-context.ts';

const NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

/** Shape checks shared by GraphQL and `POST /request`; the gateway does every policy check. */
export function checkRequestShape(input: GatewayRequestInput): void {
  if (typeof input.agent !== 'string' || !NAME.test(input.agent)) throw badInput('agent', `must be an agent name (lowercase letters, digits, ._-), got ${JSON.stringify(input.agent)}`);
  if (typeof input.role !== 'string' || !NAME.test(input.role)) throw badInput('role', `must be a role name, got ${JSON.stringify(input.role)}`);
  if (typeof input.specId !== 'string' || input.specId.length === 0 || input.specId.length > 256) throw badInput('specId', `must be a spec id, got ${JSON.stringify(input.specId)}`);
  if (typeof input.action !== 'string' || !/^[a-z][a-z0-9_]{0,63}$/.test(input.action)) throw badInput('action', `must be a snake_case action kind, got ${JSON.stringify(input.action)}`);
  if (input.params !== undefined && input.params !== null && (typeof input.params !== 'object' || Array.isArray(input.params))) {
    throw badInput('params', 'must be a JSON object');
  }
  if (input.rationale !== undefined && input.rationale !== null && (typeof input.rationale !== 'string' || input.rationale.length > 4000)) {
    throw badInput('rationale', 'must be text of at most 4000 characters');
  }
}

export async function submitRequest(args: { input: GatewayRequestInput }, ctx: Context, transport: 'graphql' | 'rest' = 'graphql') {
  const input = { ...args.input, params: args.input.params ?? {} };
  checkRequestShape(input);
  const origin = transport === 'rest' ? { ...originOf(ctx), transport: 'rest' as const } : originOf(ctx);
  const scope = `submitRequest:${ctx.principal?.tokenId ?? 'anonymous'}`;
  // A cache shared between instances keeps the first request's id and reads the request back from
  // the shared store, so a repeat on any instance returns that request as it stands (issue 6 §5).
  const shared = { reference: (record: GatewayRequestRecord) => record.requestId, load: (requestId: string) => ctx.gatewayRequests.get(requestId) };
  const { value } = await ctx.idempotency.run(scope, input.idempotencyKey, () => ctx.gateway.submit(input, ctx.principal, { origin }), shared);
  return { request: value };
}

export async function decideApproval(args: { input: { requestId: string; approve: boolean; reason?: string | null } }, ctx: Context) {
  const reason = args.input.reason?.trim() || null;
  if (reason && reason.length > 1000) throw badInput('reason', 'must be at most 1000 characters');
  const request = await ctx.gateway.decide(args.input.requestId, args.input.approve, reason, ctx.principal, originOf(ctx));
  return { request };
}

export async function reloadPolicy(_args: unknown, ctx: Context) {
  const result = await ctx.policyView.reload();
  return { ok: result.ok, problems: result.problems, policy: ctx.policyView.current() };
}
