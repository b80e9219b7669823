import type { ObjectRef } from '@pothos/core';
import type { AuditEntry, ChainVerification } from '../engine/gateway/audit.ts';
import type { GatewayRequestRecord } from '../engine/gateway/gateway-request.ts';
import type { ApprovalRule, Jurisdiction, Policy, Spec } from '../engine/gateway/policy.ts';
import { auditEvents, policy, verifyAuditChain } from '../resolvers/gateway/gateway-queries.ts';
import { decideApproval, reloadPolicy, submitRequest } from '../resolvers/gateway/submit-request.ts';
import type { Builder, Types } from './builder.ts';
import { connectionType, pageArgs } from './connection.ts';
import { withUserErrors, type UserError } from './user-error.ts';

/** Policy, audit log and the gateway mutations (issue #4 §6, §8, §9). */
export function addGatewayPolicy(builder: Builder, UserErrorRef: ObjectRef<Types, UserError>, RequestRef: ObjectRef<Types, GatewayRequestRecord>) {
  const SpecRef = builder.objectRef<Spec>('Spec').implement({
    fields: (t) => ({
      id: t.exposeString('id'),
      title: t.exposeString('title'),
      status: t.exposeString('status'),
      roles: t.exposeStringList('roles'),
      actionTypes: t.exposeStringList('actionTypes'),
      paths: t.exposeStringList('paths'),
    }),
  });
  const JurisdictionRef = builder.objectRef<Jurisdiction>('Jurisdiction').implement({
    fields: (t) => ({ role: t.exposeString('role'), paths: t.exposeStringList('paths'), actionTypes: t.exposeStringList('actionTypes') }),
  });
  const ApprovalRuleRef = builder.objectRef<ApprovalRule>('ApprovalRule').implement({
    fields: (t) => ({ id: t.exposeString('id'), actions: t.exposeStringList('actions'), paths: t.exposeStringList('paths'), description: t.exposeString('description') }),
  });
  const PolicyRef = builder.objectRef<Policy>('Policy').implement({
    fields: (t) => ({
      specs: t.field({ type: [SpecRef], resolve: (p) => [...p.specs.values()] }),
      jurisdictions: t.field({ type: [JurisdictionRef], resolve: (p) => [...p.jurisdictions.values()] }),
      protectedPaths: t.exposeStringList('protectedPaths'),
      approvalRules: t.field({ type: [ApprovalRuleRef], resolve: (p) => p.approvalRules }),
      lastReload: t.expose('loadedAt', { type: 'DateTime', description: 'When this policy was loaded.' }),
      policyHash: t.exposeString('hash'),
      files: t.exposeStringList('files'),
    }),
  });
  builder.queryField('policy', (t) => t.field({ type: PolicyRef, nullable: true, description: 'The policy in force; null when none ever loaded (every request is then denied).', resolve: (_r, a, ctx) => policy(a, ctx) }));

  const Entry = builder.objectRef<AuditEntry>('AuditEvent').implement({
    description: 'One entry of the hash-chained audit log.',
    fields: (t) => ({
      seq: t.exposeInt('seq'),
      id: t.exposeString('id'),
      at: t.expose('at', { type: 'DateTime' }),
      kind: t.string({ resolve: (e) => e.kind.toUpperCase() }),
      requestId: t.exposeString('requestId', { nullable: true }),
      agent: t.exposeString('agent', { nullable: true }),
      role: t.exposeString('role', { nullable: true }),
      specId: t.exposeString('specId', { nullable: true }),
      action: t.exposeString('action', { nullable: true }),
      decision: t.exposeString('decision', { nullable: true }),
      reasonCode: t.exposeString('reasonCode', { nullable: true }),
      details: t.field({ type: 'JSON', resolve: (e) => e.details }),
      origin: t.field({ type: 'JSON', description: '{ tokenId, tokenName, transport }', resolve: (e) => e.origin }),
      dryRun: t.exposeBoolean('dryRun'),
      prevHash: t.exposeString('prevHash'),
      hash: t.exposeString('hash'),
    }),
  });
  const AuditFilter = builder.inputType('AuditEventFilter', {
    fields: (t) => ({
      agent: t.string({ required: false }),
      role: t.string({ required: false }),
      specId: t.string({ required: false }),
      action: t.string({ required: false }),
      decision: t.string({ required: false }),
      requestId: t.string({ required: false }),
      kind: t.string({ required: false, description: 'Entry kind as listed on AuditEvent.kind, e.g. GOVERNANCE_CHANGED.' }),
      since: t.field({ type: 'DateTime', required: false }),
      until: t.field({ type: 'DateTime', required: false }),
      runId: t.string({ required: false, description: 'Only this replay run’s entries (its dry-run requests); live entries when absent.' }),
    }),
  });
  builder.queryField('auditEvents', (t) =>
    t.field({ type: connectionType(builder, 'AuditEvent', Entry), description: 'Audit entries, newest first.', args: { filter: t.arg({ type: AuditFilter, required: false }), ...pageArgs(t.arg) }, resolve: (_r, a, ctx) => auditEvents(a, ctx) }),
  );
  const Verification = builder.objectRef<ChainVerification>('AuditChainVerification').implement({
    fields: (t) => ({ ok: t.exposeBoolean('ok'), checked: t.exposeInt('checked'), firstBrokenAt: t.exposeInt('firstBrokenAt', { nullable: true }), reason: t.exposeString('reason', { nullable: true }) }),
  });
  builder.queryField('verifyAuditChain', (t) => t.field({ type: Verification, description: 'Re-checks every link and hash of the audit chain now.', resolve: (_r, a, ctx) => verifyAuditChain(a, ctx) }));

  const SubmitInput = builder.inputType('SubmitRequestInput', {
    fields: (t) => ({
      agent: t.string({ description: 'Must be the agent your token is bound to.' }),
      role: t.string({ description: 'One of the roles your token may act as.' }),
      specId: t.string(),
      action: t.string({ description: 'e.g. read_file, write_file (edit, create), patch_file, delete_file, list_dir.' }),
      params: t.field({ type: 'JSON', required: false }),
      rationale: t.string({ required: false }),
      idempotencyKey: t.string({ required: false }),
      dryRun: t.boolean({ required: false, defaultValue: false }),
    }),
  });
  const RequestPayload = builder.objectRef<{ request?: GatewayRequestRecord; userErrors: UserError[] }>('GatewayRequestPayload').implement({
    fields: (t) => ({ request: t.field({ type: RequestRef, nullable: true, resolve: (p) => p.request ?? null }), userErrors: t.field({ type: [UserErrorRef], resolve: (p) => p.userErrors }) }),
  });
  builder.mutationField('submitRequest', (t) =>
    t.field({
      type: RequestPayload,
      description: 'An agent asks to perform an action; the answer is the decision (and the result, when approved).',
      args: { input: t.arg({ type: SubmitInput }) },
      resolve: (_r, a, ctx) => withUserErrors(() => submitRequest(a as never, ctx)),
    }),
  );
  const DecideInput = builder.inputType('DecideApprovalInput', { fields: (t) => ({ requestId: t.string(), approve: t.boolean(), reason: t.string({ required: false }) }) });
  builder.mutationField('decideApproval', (t) =>
    t.field({ type: RequestPayload, description: 'Approves (runs the action once) or rejects a pending request.', args: { input: t.arg({ type: DecideInput }) }, resolve: (_r, a, ctx) => withUserErrors(() => decideApproval(a, ctx)) }),
  );
  const ReloadPayload = builder.objectRef<{ ok?: boolean; problems?: string[]; policy?: Policy | null; userErrors: UserError[] }>('ReloadPolicyPayload').implement({
    fields: (t) => ({
      ok: t.boolean({ resolve: (p) => p.ok ?? false }),
      problems: t.stringList({ description: 'Why the new files were refused; the previous policy stays in force.', resolve: (p) => p.problems ?? [] }),
      policy: t.field({ type: PolicyRef, nullable: true, resolve: (p) => p.policy ?? null }),
      userErrors: t.field({ type: [UserErrorRef], resolve: (p) => p.userErrors }),
    }),
  });
  builder.mutationField('reloadPolicy', (t) => t.field({ type: ReloadPayload, resolve: (_r, a, ctx) => withUserErrors(() => reloadPolicy(a, ctx)) }));
}
