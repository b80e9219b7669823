import type { ObjectRef } from '@pothos/core';
import { ACTION_MODES, GOVERNANCE_MODES, type GovernancePreset, type GovernanceRevision } from '../engine/governance/governance.ts';
import { governance, governanceChanged, governanceHistory, updateGovernance } from '../resolvers/operator/governance.ts';
import type { Builder, Types } from './builder.ts';
import { connectionType, pageArgs } from './connection.ts';
import { withUserErrors, type UserError } from './user-error.ts';

const upper = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v.toUpperCase(), { value: v }])) as Record<Uppercase<T>, { value: T }>;

export function addGovernance(builder: Builder, userError: ObjectRef<Types, UserError>) {
  const Mode = builder.enumType('GovernanceMode', { description: 'ENFORCE denies; SHADOW records would-be denials and allows.', values: upper(GOVERNANCE_MODES) });
  const ActionMode = builder.enumType('ActionMode', { description: 'EXECUTE runs approved actions; DRY_RUN decides and audits them but changes nothing.', values: upper(ACTION_MODES) });
  const Budgets = builder.objectRef<GovernanceRevision['settings']['budgets']>('GovernanceBudgets').implement({
    fields: (t) => ({
      maxRequestsPerMinute: t.exposeInt('maxRequestsPerMinute', { description: 'Most gateway requests one agent may make in any 60 seconds.' }),
      maxEventsPerRun: t.exposeInt('maxEventsPerRun', { description: 'Most steps one replay run may have; larger runs are refused (run_too_large).' }),
    }),
  });
  const Governance = builder.objectRef<GovernanceRevision>('Governance').implement({
    description: 'One governance revision: the knobs the gateway, the tagger and new runs read (revision 0 is the configured defaults).',
    fields: (t) => ({
      revision: t.exposeInt('revision', { description: 'Pass as expectedRevision to updateGovernance.' }),
      mode: t.field({ type: Mode, resolve: (g) => g.settings.mode }),
      actionMode: t.field({ type: ActionMode, resolve: (g) => g.settings.actionMode }),
      budgets: t.field({ type: Budgets, resolve: (g) => g.settings.budgets }),
      confidenceFloor: t.float({ description: 'Tags below this confidence are dropped.', resolve: (g) => g.settings.confidenceFloor }),
      blockedTactics: t.stringList({ description: 'Tactic ids whose tags on a gateway request deny it (blocked_by_detection)…', resolve: (g) => g.settings.blockedTactics }),
      tagDenyThreshold: t.float({ description: '…when the tag confidence is at least this.', resolve: (g) => g.settings.tagDenyThreshold }),
      approvalTtlSeconds: t.int({ resolve: (g) => g.settings.approvalTtlSeconds }),
      policySetHash: t.string({ description: 'SHA-256 over the policy, the rule pack and these settings: equal on two instances means they decide alike.', resolve: (g, _a, ctx) => ctx.governance.policySetHash(g.settings) }),
      change: t.field({ type: 'JSON', description: 'What this revision changed.', resolve: (g) => g.change }),
      reason: t.exposeString('reason', { nullable: true }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
      updatedBy: t.exposeString('updatedBy', { nullable: true }),
    }),
  });
  const Preset = builder.objectRef<GovernancePreset>('GovernancePreset').implement({
    description: 'A named governance change that scenarios reference (scenarios/presets/governance.yaml, plus the built-in `default`).',
    fields: (t) => ({
      name: t.exposeString('name'),
      description: t.exposeString('description'),
      patch: t.field({ type: 'JSON', resolve: (p) => p.patch }),
      source: t.exposeString('source'),
    }),
  });
  builder.queryField('governance', (t) => t.field({ type: Governance, resolve: (_r, args, ctx) => governance(args, ctx) }));
  builder.queryField('governanceHistory', (t) =>
    t.field({ type: connectionType(builder, 'GovernanceRevision', Governance), description: 'Revisions, newest first.', args: { ...pageArgs(t.arg) }, resolve: (_r, args, ctx) => governanceHistory(args, ctx) }),
  );
  builder.queryField('governancePresets', (t) => t.field({ type: [Preset], resolve: (_r, _a, ctx) => ctx.governance.presets() }));

  const BudgetsInput = builder.inputType('GovernanceBudgetsInput', {
    fields: (t) => ({ maxRequestsPerMinute: t.int({ required: false }), maxEventsPerRun: t.int({ required: false }) }),
  });
  const Input = builder.inputType('UpdateGovernanceInput', {
    description: 'Fields left out keep their value. Applies to new requests and new runs; running runs keep their snapshot.',
    fields: (t) => ({
      expectedRevision: t.int({ description: 'The revision this change was made against; a stale one is a revision_conflict.' }),
      mode: t.field({ type: Mode, required: false }),
      actionMode: t.field({ type: ActionMode, required: false }),
      budgets: t.field({ type: BudgetsInput, required: false }),
      confidenceFloor: t.float({ required: false }),
      blockedTactics: t.stringList({ required: false }),
      tagDenyThreshold: t.float({ required: false }),
      approvalTtlSeconds: t.int({ required: false }),
      reason: t.string({ required: false, description: 'Why, for the history and the audit log.' }),
    }),
  });
  const Payload = builder.objectRef<{ governance?: GovernanceRevision; userErrors: UserError[] }>('UpdateGovernancePayload').implement({
    fields: (t) => ({ governance: t.field({ type: Governance, nullable: true, resolve: (p) => p.governance ?? null }), userErrors: t.field({ type: [userError], resolve: (p) => p.userErrors }) }),
  });
  builder.mutationField('updateGovernance', (t) =>
    t.field({ type: Payload, args: { input: t.arg({ type: Input }) }, resolve: (_r, args, ctx) => withUserErrors(() => updateGovernance(args as never, ctx)) }),
  );
  builder.subscriptionField('governanceChanged', (t) =>
    t.field({ type: Governance, description: 'Every accepted governance change.', subscribe: (_r, args, ctx) => governanceChanged(args, ctx), resolve: (g) => g }),
  );
  return { Governance };
}
