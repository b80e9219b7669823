import type { ObjectRef } from '@pothos/core';
import type { Denial } from '../engine/gateway/decision.ts';
import { REQUEST_STATUSES } from '../engine/gateway/decision.ts';
import type { GatewayRequestRecord } from '../engine/gateway/gateway-request.ts';
import type { Tag } from '../engine/tagging/tag.ts';
import { gatewayRequest, gatewayRequests, gatewayStatus } from '../resolvers/gateway/gateway-queries.ts';
import { approvalRequested, gatewayDecisions } from '../resolvers/gateway/gateway-streams.ts';
import type { GatewayDecisionMessage } from '../resolvers/gateway/gateway-context.ts';
import type { Builder, Types } from './builder.ts';
import { connectionType, pageArgs } from './connection.ts';

export type GatewayRefs = ReturnType<typeof addGateway>;

export function addGateway(builder: Builder, TagRef: ObjectRef<Types, Tag>) {
  const Status = builder.enumType('GatewayRequestStatus', { values: REQUEST_STATUSES });
  const Reason = builder.objectRef<Denial>('DenialReason').implement({
    description: 'Why a request was denied: a code from a closed set (docs/gateway.md) and a message.',
    fields: (t) => ({ code: t.exposeString('code'), message: t.exposeString('message') }),
  });
  const Approval = builder.objectRef<NonNullable<GatewayRequestRecord['approval']>>('ApprovalDecision').implement({
    fields: (t) => ({
      approve: t.exposeBoolean('approve'),
      by: t.exposeString('by', { nullable: true }),
      reason: t.exposeString('reason', { nullable: true }),
      at: t.expose('at', { type: 'DateTime' }),
    }),
  });
  const Request = builder.objectRef<GatewayRequestRecord>('GatewayRequest').implement({
    description: 'An action an agent asked for, the decision and, when approved, the result.',
    fields: (t) => ({
      requestId: t.exposeString('requestId', { description: 'req_YYYYMMDD_HHMMSS_NNN (UTC).' }),
      agent: t.exposeString('agent'),
      role: t.exposeString('role'),
      specId: t.exposeString('specId'),
      action: t.exposeString('action', { description: 'Canonical action kind (aliases resolved).' }),
      params: t.field({ type: 'JSON', resolve: (r) => r.params }),
      rationale: t.exposeString('rationale', { nullable: true }),
      status: t.field({ type: Status, resolve: (r) => r.status }),
      reason: t.field({ type: Reason, nullable: true, resolve: (r) => r.reason }),
      shadowReason: t.field({ type: Reason, nullable: true, description: 'The denial shadow mode recorded but did not enforce.', resolve: (r) => r.shadowReason }),
      execution: t.exposeString('execution', { description: 'not_run, running, completed, failed or interrupted.' }),
      result: t.field({ type: 'JSON', nullable: true, resolve: (r) => r.result }),
      auditEventId: t.exposeString('auditEventId', { nullable: true }),
      targetPath: t.exposeString('targetPath', { nullable: true, description: 'The canonical path the checks ran on.' }),
      dryRun: t.exposeBoolean('dryRun'),
      tags: t.field({ type: [TagRef], description: 'ATT&CK tags of the request as an agent_action event.', resolve: (r, _a, ctx) => (r.tagIds.length ? ctx.tagStore.tagsByIds(r.tagIds, r.runId) : []) }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      decidedAt: t.expose('decidedAt', { type: 'DateTime', nullable: true }),
      expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'Pending approval: denied approval_expired after this.' }),
      approvalRule: t.exposeString('approvalRule', { nullable: true }),
      approval: t.field({ type: Approval, nullable: true, resolve: (r) => r.approval }),
    }),
  });

  const Filter = builder.inputType('GatewayRequestFilter', {
    fields: (t) => ({
      agent: t.string({ required: false }),
      role: t.string({ required: false }),
      specId: t.string({ required: false }),
      action: t.string({ required: false }),
      status: t.field({ type: Status, required: false }),
      since: t.field({ type: 'DateTime', required: false }),
      until: t.field({ type: 'DateTime', required: false }),
      runId: t.string({ required: false }),
    }),
  });
  builder.queryField('gatewayRequests', (t) =>
    t.field({
      type: connectionType(builder, 'GatewayRequest', Request),
      description: 'Gateway requests, newest first.',
      args: { filter: t.arg({ type: Filter, required: false }), ...pageArgs(t.arg) },
      resolve: (_root, args, ctx) => gatewayRequests(args, ctx),
    }),
  );
  builder.queryField('gatewayRequest', (t) => t.field({ type: Request, nullable: true, args: { requestId: t.arg.string() }, resolve: (_root, args, ctx) => gatewayRequest(args, ctx) }));

  const StatusRef = builder.objectRef<Awaited<ReturnType<typeof gatewayStatus>>>('GatewayStatus').implement({
    fields: (t) => ({
      service: t.exposeString('service'),
      version: t.exposeString('version'),
      mode: t.exposeString('mode', { description: 'enforce or shadow.' }),
      uptimeSeconds: t.exposeInt('uptimeSeconds'),
      policyLoaded: t.exposeBoolean('policyLoaded'),
      specsCount: t.exposeInt('specsCount'),
      jurisdictionsCount: t.exposeInt('jurisdictionsCount'),
      totalRequests: t.exposeInt('totalRequests'),
      totalDenials: t.exposeInt('totalDenials'),
      pendingApprovals: t.exposeInt('pendingApprovals'),
    }),
  });
  builder.queryField('gatewayStatus', (t) => t.field({ type: StatusRef, resolve: (_root, args, ctx) => gatewayStatus(args, ctx) }));

  const Message = builder.objectRef<GatewayDecisionMessage>('GatewayDecisionMessage').implement({
    fields: (t) => ({
      cursor: t.string({ description: 'Pass as `after` to resume after this decision.', resolve: (m) => String(m.seq) }),
      request: t.field({ type: Request, resolve: (m) => m.request }),
    }),
  });
  const DecisionFilter = builder.inputType('GatewayDecisionFilter', {
    fields: (t) => ({ agent: t.string({ required: false }), status: t.field({ type: Status, required: false }), action: t.string({ required: false }) }),
  });
  builder.subscriptionField('gatewayDecisions', (t) =>
    t.field({
      type: Message,
      description: 'Every gateway decision. With `after`, replays later decisions from the audit log first, with no gap and no duplicate.',
      args: { filter: t.arg({ type: DecisionFilter, required: false }), after: t.arg.string({ required: false }) },
      subscribe: (_root, args, ctx) => gatewayDecisions(args, ctx),
      resolve: (m) => m,
    }),
  );
  builder.subscriptionField('approvalRequested', (t) =>
    t.field({ type: Request, description: 'Requests that wait for an operator (decideApproval).', subscribe: (_root, args, ctx) => approvalRequested(args, ctx), resolve: (r) => r }),
  );
  return { Request, Status };
}
