import type { ObjectRef } from '@pothos/core';
import type { GovernanceRevision } from '../engine/governance/governance.ts';
import { RUN_END_REASONS, RUN_ORDERS, RUN_STATES, type RunParams, type RunProgress, type RunRecord, type RunSnapshot } from '../engine/runs/run.ts';
import type { ComponentCard } from '../engine/runs/run-components.ts';
import type { RunProgressMessage } from '../engine/runs/run-progress.ts';
import type { Scenario } from '../engine/scenarios/scenario.ts';
import type { OperatorStateView } from '../resolvers/operator/scenario-queries.ts';
import { state } from '../resolvers/operator/scenario-queries.ts';
import { exportRun, pauseRun, resumeRun, startRun, stepRun, stopRun } from '../resolvers/operator/run-mutations.ts';
import { run, runs } from '../resolvers/operator/run-queries.ts';
import { runProgress } from '../resolvers/operator/run-streams.ts';
import type { RunExportLink } from '../resolvers/operator/operator-context.ts';
import type { Builder, Types } from './builder.ts';
import { connectionType, pageArgs } from './connection.ts';
import { addRunMetrics } from './run-metrics.ts';
import { speedText, type addScenarios } from './scenario.ts';
import { withUserErrors, type UserError } from './user-error.ts';

type ComponentEnum = ReturnType<typeof addScenarios>['Component'];

export function addRuns(
  builder: Builder,
  refs: { userError: ObjectRef<Types, UserError>; scenario: ObjectRef<Types, Scenario>; component: ComponentEnum; governance: ObjectRef<Types, GovernanceRevision> },
) {
  const State = builder.enumType('RunState', { values: RUN_STATES });
  const EndReason = builder.enumType('RunEndReason', { values: Object.fromEntries(RUN_END_REASONS.map((r) => [r.toUpperCase(), { value: r }])) as Record<Uppercase<(typeof RUN_END_REASONS)[number]>, { value: (typeof RUN_END_REASONS)[number] }> });
  const Order = builder.enumType('RunOrder', { values: RUN_ORDERS });
  const Metrics = addRunMetrics(builder);

  const Params = builder.objectRef<RunParams>('RunParams').implement({
    fields: (t) => ({
      speed: t.string({ resolve: (p) => speedText(p.speed) }),
      ticksTotal: t.exposeInt('ticksTotal'),
      eventsPerTick: t.exposeInt('eventsPerTick'),
      metricsEnabled: t.exposeBoolean('metricsEnabled'),
      loggingEnabled: t.exposeBoolean('loggingEnabled'),
    }),
  });
  const Progress = builder.objectRef<RunProgress>('RunProgress').implement({
    fields: (t) => ({
      progress: t.exposeFloat('progress', { description: '0..1: steps processed ÷ steps to process.' }),
      ticksCompleted: t.exposeInt('ticksCompleted'),
      ticksTotal: t.exposeInt('ticksTotal'),
      eventsCompleted: t.exposeInt('eventsCompleted'),
      eventsTotal: t.exposeInt('eventsTotal'),
      eventsPerSecond: t.exposeFloat('eventsPerSecond'),
      etaSeconds: t.exposeFloat('etaSeconds', { nullable: true }),
      virtualTime: t.expose('virtualTime', { type: 'DateTime', nullable: true, description: 'Event time of the last step processed.' }),
    }),
  });
  const Frozen = builder.objectRef<RunSnapshot['ruleStates'][number]>('FrozenRuleState').implement({
    fields: (t) => ({ ruleId: t.exposeString('ruleId'), state: t.string({ description: 'DISABLED or CLIPPED.', resolve: (r) => r.state.toUpperCase() }), confidenceMax: t.exposeFloat('confidenceMax', { nullable: true }) }),
  });
  const Snapshot = builder.objectRef<RunSnapshot>('RunSnapshot').implement({
    description: 'What the run froze at start, so its results can be reproduced and compared.',
    fields: (t) => ({
      governanceRevision: t.int({ resolve: (s) => s.governance.revision }),
      governancePreset: t.string({ nullable: true, resolve: (s) => s.governance.preset }),
      governance: t.field({
        type: refs.governance,
        description: 'The settings the run used (its preset applied to the revision current at start).',
        resolve: (s) => ({ revision: s.governance.revision, settings: s.governance.settings, change: {}, updatedAt: new Date(0), updatedBy: null, reason: null }),
      }),
      governanceHash: t.string({ resolve: (s) => s.governance.hash }),
      rulePackHash: t.exposeString('rulePackHash'),
      policyHash: t.exposeString('policyHash', { nullable: true }),
      scenarioHash: t.exposeString('scenarioHash'),
      policySetHash: t.exposeString('policySetHash'),
      ruleStates: t.field({ type: [Frozen], description: 'Rules that were disabled or clipped when the run started (every other rule ran enabled).', resolve: (s) => s.ruleStates ?? [] }),
    }),
  });
  const Card = builder.objectRef<ComponentCard>('ComponentCard').implement({
    description: 'One engine part during a run: status (OK, DEGRADED, IDLE, OFF), load and a headline figure.',
    fields: (t) => ({
      name: t.field({ type: refs.component, resolve: (c) => c.name }),
      status: t.exposeString('status'),
      load: t.exposeFloat('load', { nullable: true, description: 'Share of the run’s busy time spent here (0..1); null where not measured separately.' }),
      headline: t.exposeString('headline'),
      value: t.exposeInt('value'),
    }),
  });
  const Run = builder.objectRef<RunRecord>('Run').implement({
    description: 'A replay of a scenario through the tagging engine and the gateway in dry-run.',
    fields: (t) => ({
      runId: t.exposeString('runId'),
      scenarioId: t.exposeString('scenarioId'),
      scenarioName: t.exposeString('scenarioName'),
      scenario: t.field({ type: refs.scenario, nullable: true, description: 'The scenario as loaded now (it may have changed since; compare snapshot.scenarioHash).', resolve: (r, _a, ctx) => ctx.scenarios.get(r.scenarioId) ?? null }),
      state: t.field({ type: State, resolve: (r) => r.state }),
      endReason: t.field({ type: EndReason, nullable: true, resolve: (r) => r.endReason }),
      message: t.exposeString('message', { nullable: true }),
      overrides: t.field({ type: 'JSON', resolve: (r) => r.overrides }),
      params: t.field({ type: Params, resolve: (r) => r.params }),
      progress: t.field({ type: Progress, resolve: (r) => r.progress }),
      snapshot: t.field({ type: Snapshot, nullable: true, description: 'Null while queued.', resolve: (r) => r.snapshot }),
      metrics: t.field({ type: Metrics, nullable: true, description: 'Live while running; null when metrics are off.', resolve: (r) => r.metrics }),
      components: t.field({ type: [Card], resolve: (r) => r.components }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
      endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true }),
      startedBy: t.exposeString('startedBy', { nullable: true }),
      detailRetained: t.exposeBoolean('detailRetained', { description: 'False once retention removed the run’s events, tags, decisions and logs.' }),
      owner: t.exposeString('owner', { nullable: true, description: 'The instance executing it.' }),
    }),
  });

  const Filter = builder.inputType('RunFilter', {
    fields: (t) => ({
      state: t.field({ type: State, required: false }),
      scenarioId: t.string({ required: false }),
      since: t.field({ type: 'DateTime', required: false, description: 'Created at or after.' }),
      until: t.field({ type: 'DateTime', required: false, description: 'Created before.' }),
    }),
  });
  builder.queryField('runs', (t) =>
    t.field({
      type: connectionType(builder, 'Run', Run),
      description: 'Run history, newest first by default.',
      args: { filter: t.arg({ type: Filter, required: false }), orderBy: t.arg({ type: Order, required: false }), ...pageArgs(t.arg) },
      resolve: (_r, args, ctx) => runs(args, ctx),
    }),
  );
  builder.queryField('run', (t) => t.field({ type: Run, nullable: true, args: { runId: t.arg.string() }, resolve: (_r, args, ctx) => run(args, ctx) }));

  const StateRef = builder.objectRef<OperatorStateView>('OperatorState').implement({
    fields: (t) => ({
      run: t.field({ type: Run, nullable: true, description: 'The run running or paused here, else the oldest queued, else the newest run.', resolve: (s) => s.run }),
      activeScenario: t.field({ type: refs.scenario, nullable: true, resolve: (s) => s.activeScenario }),
      components: t.field({ type: [Card], description: 'The component cards of `run`.', resolve: (s) => s.run?.components ?? [] }),
      queued: t.exposeInt('queued'),
    }),
  });
  builder.queryField('state', (t) => t.field({ type: StateRef, resolve: (_r, args, ctx) => state(args, ctx) }));

  const Overrides = builder.inputType('RunOverridesInput', {
    description: 'Changes to the scenario params for this run only.',
    fields: (t) => ({
      speed: t.string({ required: false, description: '"max", "realtime" or a factor such as "10".' }),
      ticksTotal: t.int({ required: false }),
      eventsPerTick: t.int({ required: false }),
      metricsEnabled: t.boolean({ required: false }),
      loggingEnabled: t.boolean({ required: false }),
      governancePreset: t.string({ required: false, description: 'A preset instead of the scenario’s; null: the current governance as it is.' }),
    }),
  });
  const RunPayload = builder.objectRef<{ run?: RunRecord; deduplicated?: boolean; userErrors: UserError[] }>('RunPayload').implement({
    fields: (t) => ({
      run: t.field({ type: Run, nullable: true, resolve: (p) => p.run ?? null }),
      deduplicated: t.boolean({ description: 'startRun: the idempotency key matched an earlier run, which is returned.', resolve: (p) => p.deduplicated ?? false }),
      userErrors: t.field({ type: [refs.userError], resolve: (p) => p.userErrors }),
    }),
  });
  const StartInput = builder.inputType('StartRunInput', {
    fields: (t) => ({ scenarioId: t.string(), overrides: t.field({ type: Overrides, required: false }), idempotencyKey: t.string({ required: false }) }),
  });
  builder.mutationField('startRun', (t) =>
    t.field({ type: RunPayload, description: 'Queues a run; it starts when fewer than maxConcurrentRuns are running.', args: { input: t.arg({ type: StartInput }) }, resolve: (_r, args, ctx) => withUserErrors(() => startRun(args as never, ctx)) }),
  );
  const StopInput = builder.inputType('StopRunInput', { fields: (t) => ({ runId: t.string(), reason: t.string({ required: false }) }) });
  builder.mutationField('stopRun', (t) =>
    t.field({
      type: RunPayload,
      description: 'Stops at the next step boundary (cut off after 10 s). Idempotent on a cancelled run; run_not_active on a completed or faulted one.',
      args: { input: t.arg({ type: StopInput }) },
      resolve: (_r, args, ctx) => withUserErrors(() => stopRun(args, ctx)),
    }),
  );
  const RunIdInput = builder.inputType('RunIdInput', { fields: (t) => ({ runId: t.string() }) });
  builder.mutationField('pauseRun', (t) => t.field({ type: RunPayload, args: { input: t.arg({ type: RunIdInput }) }, resolve: (_r, args, ctx) => withUserErrors(() => pauseRun(args, ctx)) }));
  builder.mutationField('resumeRun', (t) => t.field({ type: RunPayload, args: { input: t.arg({ type: RunIdInput }) }, resolve: (_r, args, ctx) => withUserErrors(() => resumeRun(args, ctx)) }));
  const StepInput = builder.inputType('StepRunInput', { fields: (t) => ({ runId: t.string(), ticks: t.int({ required: false, defaultValue: 1 }) }) });
  builder.mutationField('stepRun', (t) =>
    t.field({ type: RunPayload, description: 'While paused: runs this many ticks, then pauses again.', args: { input: t.arg({ type: StepInput }) }, resolve: (_r, args, ctx) => withUserErrors(() => stepRun(args, ctx)) }),
  );

  const ExportRef = builder.objectRef<RunExportLink>('RunExport').implement({
    fields: (t) => ({
      exportId: t.exposeString('exportId'),
      url: t.exposeString('url', { description: 'GET it with the same bearer token.' }),
      sha256: t.exposeString('sha256', { description: 'Of the .tar.gz.' }),
      sizeBytes: t.exposeInt('sizeBytes'),
    }),
  });
  const ExportPayload = builder.objectRef<{ export?: RunExportLink; userErrors: UserError[] }>('ExportRunPayload').implement({
    fields: (t) => ({ export: t.field({ type: ExportRef, nullable: true, resolve: (p) => p.export ?? null }), userErrors: t.field({ type: [refs.userError], resolve: (p) => p.userErrors }) }),
  });
  builder.mutationField('exportRun', (t) =>
    t.field({
      type: ExportPayload,
      description: 'Builds a .tar.gz bundle: manifest (hashes), metrics, per-rule and per-technique CSV, events, logs, Navigator layer, resolved scenario.',
      args: { input: t.arg({ type: RunIdInput }) },
      resolve: (_r, args, ctx) => withUserErrors(() => exportRun(args, ctx)),
    }),
  );

  const ProgressMessage = builder.objectRef<RunProgressMessage>('RunProgressMessage').implement({
    fields: (t) => ({
      runId: t.exposeString('runId'),
      state: t.field({ type: State, resolve: (m) => m.state }),
      endReason: t.field({ type: EndReason, nullable: true, resolve: (m) => m.endReason }),
      progress: t.field({ type: Progress, resolve: (m) => m.progress }),
      at: t.expose('at', { type: 'DateTime', description: 'When these figures were taken.' }),
    }),
  });
  builder.subscriptionField('runProgress', (t) =>
    t.field({
      type: ProgressMessage,
      description: 'The current figures, then at most 4 messages a second and every state change; completes after a terminal state.',
      args: { runId: t.arg.string() },
      subscribe: (_r, args, ctx) => runProgress(args, ctx),
      resolve: (m) => m,
    }),
  );
  return { Run };
}
