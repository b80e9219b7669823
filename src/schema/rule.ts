import type { ObjectRef } from '@pothos/core';
import type { ReloadReport, RuleEntry } from '../engine/tagging/rule-registry.ts';
import type { Rule } from '../engine/tagging/rule.ts';
import type { RuleStateChange } from '../engine/tagging/rule-state-service.ts';
import { RULE_STATES, type RuleState, type RuleStateName } from '../engine/tagging/rule-state.ts';
import { clearRuleState, reloadRules, setRuleState } from '../resolvers/mutation/rule-state.ts';
import { rule, rules } from '../resolvers/query/rules.ts';
import { ruleStateChanged } from '../resolvers/subscription/ttp-tagged.ts';
import type { Builder, Types } from './builder.ts';
import { connectionType, pageArgs } from './connection.ts';
import { withUserErrors, type UserError } from './user-error.ts';

export function addRules(builder: Builder, UserErrorRef: ObjectRef<Types, UserError>): void {
  const StateEnum = builder.enumType('RuleStateName', {
    description: 'ENABLED fires; DISABLED never fires; CLIPPED fires with confidence capped at confidenceMax.',
    values: Object.fromEntries(RULE_STATES.map((s) => [s.toUpperCase(), { value: s }])) as Record<Uppercase<RuleStateName>, { value: RuleStateName }>,
  });
  const Emit = builder.objectRef<Rule['emits'][number]>('RuleEmit').implement({
    fields: (t) => ({
      tactic: t.exposeString('tactic'),
      techniqueId: t.exposeString('techniqueId'),
      subTechniqueId: t.exposeString('subTechniqueId', { nullable: true }),
      confidence: t.exposeFloat('confidence'),
    }),
  });
  const StoredState = builder.objectRef<RuleState>('RuleStateSetting').implement({
    description: 'A state an operator set, with who, when and why.',
    fields: (t) => ({
      state: t.field({ type: StateEnum, resolve: (s) => s.state }),
      confidenceMax: t.exposeFloat('confidenceMax', { nullable: true }),
      expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'After this the rule reverts to ENABLED.' }),
      reason: t.exposeString('reason', { nullable: true }),
      setBy: t.exposeString('setBy', { nullable: true }),
      setAt: t.expose('setAt', { type: 'DateTime' }),
    }),
  });
  const RuleRef = builder.objectRef<RuleEntry>('Rule').implement({
    description: 'A loaded rule: its running definition, who runs it, its state and how often it fired.',
    fields: (t) => ({
      ruleId: t.string({ resolve: (e) => e.rule.ruleId }),
      ruleVersion: t.int({ resolve: (e) => e.rule.ruleVersion }),
      name: t.string({ resolve: (e) => e.rule.name }),
      description: t.string({ resolve: (e) => e.rule.description }),
      appliesTo: t.stringList({ resolve: (e) => e.rule.appliesTo }),
      match: t.field({ type: 'JSON', description: '{ field, pattern } or { kind, ...lifter params }.', resolve: (e) => (e.rule.match.type === 'pattern' ? { field: e.rule.match.field, pattern: e.rule.match.pattern } : { kind: e.rule.match.kind, ...e.rule.match.params }) }),
      emits: t.field({ type: [Emit], resolve: (e) => e.rule.emits }),
      evidenceFields: t.stringList({ resolve: (e) => e.rule.evidenceFields }),
      owner: t.string({ nullable: true, description: '"engine" or the id of the lifter that runs it; null when nothing runs it.', resolve: (e) => e.owner }),
      state: t.field({ type: StoredState, nullable: true, resolve: (e, _a, ctx) => ctx.ruleStates.get(e.rule.ruleId) ?? null }),
      effectiveState: t.field({ type: StateEnum, resolve: (e, _a, ctx) => ctx.ruleStates.effective(e.rule.ruleId).state }),
      sourcePath: t.string({ description: 'Path under rules/.', resolve: (e) => e.rule.sourcePath }),
      loadError: t.string({ nullable: true, description: 'The newest edit of the file failed to load; the version shown keeps running.', resolve: (e) => e.loadError }),
      problem: t.string({ nullable: true, description: 'Why the rule does not run (e.g. orphaned lifter kind).', resolve: (e) => e.problem }),
      fireCount: t.int({ description: 'Events this rule tagged since the server started.', resolve: (e) => e.fires }),
    }),
  });

  const Filter = builder.inputType('RuleFilter', {
    fields: (t) => ({
      sourceKind: t.string({ required: false }),
      state: t.field({ type: StateEnum, required: false, description: 'Effective state.' }),
      owner: t.string({ required: false, description: '"engine" or a lifter id.' }),
    }),
  });
  builder.queryField('rules', (t) =>
    t.field({
      type: connectionType(builder, 'Rule', RuleRef),
      description: 'Loaded rules by rule id.',
      args: { filter: t.arg({ type: Filter, required: false }), ...pageArgs(t.arg) },
      resolve: (_root, args, ctx) => rules(args, ctx),
    }),
  );
  builder.queryField('rule', (t) => t.field({ type: RuleRef, nullable: true, args: { ruleId: t.arg.string() }, resolve: (_root, args, ctx) => rule(args, ctx) }));

  const RulePayload = builder.objectRef<{ rule?: RuleEntry; userErrors: UserError[] }>('RuleStatePayload').implement({
    fields: (t) => ({
      rule: t.field({ type: RuleRef, nullable: true, resolve: (p) => p.rule ?? null }),
      userErrors: t.field({ type: [UserErrorRef], resolve: (p) => p.userErrors }),
    }),
  });
  const SetInput = builder.inputType('SetRuleStateInput', {
    fields: (t) => ({
      ruleId: t.string(),
      state: t.field({ type: StateEnum }),
      confidenceMax: t.float({ required: false, description: 'Required for CLIPPED, 0..1.' }),
      expiresAt: t.field({ type: 'DateTime', required: false, description: 'When to revert to ENABLED.' }),
      reason: t.string({ required: false }),
    }),
  });
  builder.mutationField('setRuleState', (t) =>
    t.field({ type: RulePayload, args: { input: t.arg({ type: SetInput }) }, resolve: (_root, args, ctx) => withUserErrors(() => setRuleState(args, ctx)) }),
  );
  const ClearInput = builder.inputType('ClearRuleStateInput', { fields: (t) => ({ ruleId: t.string() }) });
  builder.mutationField('clearRuleState', (t) =>
    t.field({
      type: RulePayload,
      description: 'Removes the operator state: the rule is ENABLED again.',
      args: { input: t.arg({ type: ClearInput }) },
      resolve: (_root, args, ctx) => withUserErrors(() => clearRuleState(args, ctx)),
    }),
  );

  const LoadError = builder.objectRef<ReloadReport['errors'][number]>('RuleLoadError').implement({
    fields: (t) => ({ path: t.exposeString('path'), ruleId: t.exposeString('ruleId', { nullable: true }), problems: t.exposeStringList('problems') }),
  });
  const Report = builder.objectRef<ReloadReport>('ReloadRulesPayload').implement({
    fields: (t) => ({
      loaded: t.exposeInt('loaded'),
      errors: t.field({ type: [LoadError], resolve: (r) => r.errors }),
      added: t.exposeStringList('added'),
      changed: t.exposeStringList('changed'),
      removed: t.exposeStringList('removed'),
      problems: t.stringList({ resolve: (r) => r.problems.map((p) => `${p.ruleId}: ${p.message}`) }),
    }),
  });
  builder.mutationField('reloadRules', (t) => t.field({ type: Report, description: 'Reloads rules/ now (the watcher also does this on every change).', resolve: (_root, args, ctx) => reloadRules(args, ctx) }));

  const Change = builder.objectRef<RuleStateChange>('RuleStateChange').implement({
    fields: (t) => ({
      ruleId: t.exposeString('ruleId'),
      cause: t.exposeString('cause', { description: 'set, clear or expired' }),
      effectiveState: t.field({ type: StateEnum, resolve: (c) => c.effective.state }),
      confidenceMax: t.float({ nullable: true, resolve: (c) => c.effective.confidenceMax }),
      state: t.field({ type: StoredState, nullable: true, resolve: (c) => c.stored }),
      at: t.expose('at', { type: 'DateTime' }),
    }),
  });
  builder.subscriptionField('ruleStateChanged', (t) =>
    t.field({
      type: Change,
      args: { ruleId: t.arg.string({ required: false }) },
      subscribe: (_root, args, ctx) => ruleStateChanged(args, ctx),
      resolve: (c) => c,
    }),
  );
}
