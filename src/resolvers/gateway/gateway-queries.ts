import { badInput } from '../../engine/errors.ts';
import { AUDIT_KINDS, type AuditFilter } from '../../engine/gateway/audit.ts';
import type { GatewayRequestFilter } from '../../engine/gateway/gateway-request.ts';
import { isTimeIdKey, parsePageArgs, toConnection, type PageArgs } from '../../engine/pagination.ts';
import type { Context } from '../context.ts';

export async function gatewayStatus(_args: unknown, ctx: Context) {
  const policy = ctx.policyView.current();
  const [totalRequests, totalDenials, pendingApprovals] = await Promise.all([
    ctx.gatewayRequests.count({}),
    ctx.gatewayRequests.count({ status: 'DENIED' }),
    ctx.gatewayRequests.count({ status: 'PENDING_APPROVAL' }),
  ]);
  return {
    service: 'gatehouse-gateway',
    version: ctx.server.version,
    mode: ctx.gatewayKnobs().mode,
    uptimeSeconds: Math.floor((Date.now() - ctx.server.startedAt.getTime()) / 1000),
    policyLoaded: policy !== null,
    specsCount: policy?.specs.size ?? 0,
    jurisdictionsCount: policy?.jurisdictions.size ?? 0,
    totalRequests,
    totalDenials,
    pendingApprovals,
  };
}

export function policy(_args: unknown, ctx: Context) {
  return ctx.policyView.current();
}

export async function gatewayRequests(args: PageArgs & { filter?: GatewayRequestFilter | null }, ctx: Context) {
  const filter: GatewayRequestFilter = { ...(args.filter ?? {}), runId: args.filter?.runId ?? null };
  const page = parsePageArgs(args, { list: 'gatewayRequests', filter, order: 'createdAt desc' }, isTimeIdKey);
  const [rows, total] = await Promise.all([ctx.gatewayRequests.list(filter, page.after, page.limit), ctx.gatewayRequests.count(filter)]);
  return toConnection(page, rows, (r) => [r.createdAt.toISOString(), r.requestId] as [string, string], total);
}

export async function gatewayRequest(args: { requestId: string }, ctx: Context) {
  return ctx.gatewayRequests.get(args.requestId);
}

const isSeqKey = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0;

export async function auditEvents(args: PageArgs & { filter?: (Omit<AuditFilter, 'kind'> & { kind?: string | null }) | null }, ctx: Context) {
  const { kind, ...rest } = args.filter ?? {};
  const filter: AuditFilter = { ...rest };
  if (kind !== undefined && kind !== null) {
    const lower = kind.toLowerCase();
    if (!(AUDIT_KINDS as readonly string[]).includes(lower)) throw badInput('filter.kind', `must be one of ${AUDIT_KINDS.map((k) => k.toUpperCase()).join(', ')}, got ${JSON.stringify(kind)}`);
    filter.kind = lower as AuditFilter['kind'];
  }
  if (filter.since && filter.until && filter.since > filter.until) throw badInput('filter.until', 'must not be before filter.since');
  const page = parsePageArgs(args, { list: 'auditEvents', filter, order: 'seq desc' }, isSeqKey);
  const [rows, total] = await Promise.all([ctx.audit.list(filter, page.after, page.limit), ctx.audit.count(filter)]);
  return toConnection(page, rows, (e) => e.seq, total);
}

export async function verifyAuditChain(_args: unknown, ctx: Context) {
  const result = await ctx.audit.verify();
  if (!result.ok) ctx.log.warn({ firstBrokenAt: result.firstBrokenAt, reason: result.reason }, 'audit chain verification failed');
  return result;
}

