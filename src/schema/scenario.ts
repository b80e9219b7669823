import type { ObjectRef } from '@pothos/core';
import { scenarioSummary } from '../engine/scenarios/scenario-summary.ts';
import { COMPONENTS, RUNTIME_HINTS, type Scenario, type ScenarioParams } from '../engine/scenarios/scenario.ts';
import { activateScenario, updateScenario } from '../resolvers/operator/scenario-mutations.ts';
import { scenario, scenarios } from '../resolvers/operator/scenario-queries.ts';
import type { Builder, Types } from './builder.ts';
import { connectionType, pageArgs } from './connection.ts';
import { withUserErrors, type UserError } from './user-error.ts';

const upper = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v.toUpperCase(), { value: v }])) as Record<Uppercase<T>, { value: T }>;

/** `max`, `realtime` or a factor, as text (GraphQL has no union of scalars). */
export const speedText = (speed: ScenarioParams['speed']): string => String(speed);

export function addScenarios(builder: Builder, userError: ObjectRef<Types, UserError>) {
  const RuntimeHint = builder.enumType('ScenarioRuntimeHint', { description: 'How long a scenario takes to replay at max speed: TINY seconds, SMALL under a minute, FULL longer.', values: upper(RUNTIME_HINTS) });
  const Component = builder.enumType('EngineComponent', { description: 'An engine part a scenario exercises and a run reports on.', values: upper(COMPONENTS) });
  const Params = builder.objectRef<ScenarioParams>('ScenarioParams').implement({
    fields: (t) => ({
      ticksTotal: t.exposeInt('ticksTotal', { nullable: true, description: 'Null: as many ticks as the steps need.' }),
      eventsPerTick: t.exposeInt('eventsPerTick'),
      speed: t.string({ description: '"max", "realtime" or a factor of realtime such as "10".', resolve: (p) => speedText(p.speed) }),
      metricsEnabled: t.exposeBoolean('metricsEnabled'),
      loggingEnabled: t.exposeBoolean('loggingEnabled'),
    }),
  });
  const DecisionCount = builder.objectRef<{ decision: string; count: number }>('ExpectedDecisionCount').implement({
    fields: (t) => ({ decision: t.exposeString('decision'), count: t.exposeInt('count') }),
  });
  const ScenarioRef = builder.objectRef<Scenario>('Scenario').implement({
    description: 'A replay scenario from scenarios/*.yaml, with its database overlay applied.',
    fields: (t) => ({
      id: t.exposeString('id'),
      name: t.exposeString('name'),
      description: t.exposeString('description'),
      tags: t.exposeStringList('tags'),
      runtimeHint: t.field({ type: RuntimeHint, resolve: (s) => s.runtimeHint }),
      components: t.field({ type: [Component], resolve: (s) => s.components }),
      params: t.field({ type: Params, resolve: (s) => s.params }),
      governancePreset: t.exposeString('governancePreset', { nullable: true }),
      labelsComplete: t.exposeBoolean('labelsComplete', { description: 'Unlabelled steps expect nothing: their tags count as false positives.' }),
      startAt: t.expose('startAt', { type: 'DateTime' }),
      eventCount: t.int({ description: 'Event steps.', resolve: (s) => scenarioSummary(s).eventCount }),
      requestCount: t.int({ description: 'Gateway request steps.', resolve: (s) => scenarioSummary(s).requestCount }),
      stepCount: t.int({ resolve: (s) => s.steps.length }),
      labelledCount: t.int({ resolve: (s) => scenarioSummary(s).labelledCount }),
      labelCoverage: t.float({ description: 'Labelled steps ÷ steps (0..1).', resolve: (s) => scenarioSummary(s).labelCoverage }),
      expectedTechniques: t.stringList({ resolve: (s) => scenarioSummary(s).expectedTechniques }),
      expectedDecisions: t.field({ type: [DecisionCount], resolve: (s) => Object.entries(scenarioSummary(s).expectedDecisions).map(([decision, count]) => ({ decision, count: count as number })) }),
      durationSeconds: t.float({ description: 'Virtual time from the first step to the last.', resolve: (s) => scenarioSummary(s).durationSeconds }),
      sourcePath: t.exposeString('sourcePath'),
      eventsFile: t.exposeString('eventsFile', { nullable: true }),
      hash: t.exposeString('hash', { description: 'SHA-256 over the file(s) and the overlay; each run freezes it.' }),
      overlaid: t.exposeBoolean('overlaid', { description: 'An API edit (overlay) changes this scenario; updateScenario(reset: true) removes it.' }),
      active: t.boolean({ description: 'Picked with activateScenario.', resolve: (s, _a, ctx) => ctx.operatorState.activeScenario() === s.id }),
    }),
  });
  const Filter = builder.inputType('ScenarioFilter', {
    fields: (t) => ({ tag: t.string({ required: false }), runtimeHint: t.field({ type: RuntimeHint, required: false }), search: t.string({ required: false, description: 'Case-insensitive text in id, name or description.' }) }),
  });
  builder.queryField('scenarios', (t) =>
    t.field({ type: connectionType(builder, 'Scenario', ScenarioRef), description: 'Loaded scenarios by id.', args: { filter: t.arg({ type: Filter, required: false }), ...pageArgs(t.arg) }, resolve: (_r, args, ctx) => scenarios(args, ctx) }),
  );
  builder.queryField('scenario', (t) => t.field({ type: ScenarioRef, nullable: true, args: { id: t.arg.string() }, resolve: (_r, args, ctx) => scenario(args, ctx) }));

  const Payload = builder.objectRef<{ scenario?: Scenario | null; userErrors: UserError[] }>('ScenarioPayload').implement({
    fields: (t) => ({ scenario: t.field({ type: ScenarioRef, nullable: true, resolve: (p) => p.scenario ?? null }), userErrors: t.field({ type: [userError], resolve: (p) => p.userErrors }) }),
  });
  const ActivateInput = builder.inputType('ActivateScenarioInput', { fields: (t) => ({ scenarioId: t.string({ required: false, description: 'Null clears the choice.' }) }) });
  builder.mutationField('activateScenario', (t) =>
    t.field({ type: Payload, description: 'Picks the scenario `state` shows.', args: { input: t.arg({ type: ActivateInput }) }, resolve: (_r, args, ctx) => withUserErrors(() => activateScenario(args, ctx)) }),
  );
  const ParamsInput = builder.inputType('ScenarioParamsInput', {
    fields: (t) => ({
      ticksTotal: t.int({ required: false }),
      eventsPerTick: t.int({ required: false }),
      speed: t.string({ required: false, description: '"max", "realtime" or a factor such as "10".' }),
      metricsEnabled: t.boolean({ required: false }),
      loggingEnabled: t.boolean({ required: false }),
    }),
  });
  const UpdateInput = builder.inputType('UpdateScenarioInput', {
    description: 'The allowed fields; each one given is stored in the overlay (the YAML stays the source). `reset: true` removes the overlay.',
    fields: (t) => ({
      scenarioId: t.string(),
      name: t.string({ required: false }),
      description: t.string({ required: false }),
      tags: t.stringList({ required: false }),
      runtimeHint: t.field({ type: RuntimeHint, required: false }),
      governancePreset: t.string({ required: false }),
      labelsComplete: t.boolean({ required: false }),
      params: t.field({ type: ParamsInput, required: false }),
      reset: t.boolean({ required: false }),
    }),
  });
  builder.mutationField('updateScenario', (t) =>
    t.field({ type: Payload, args: { input: t.arg({ type: UpdateInput }) }, resolve: (_r, args, ctx) => withUserErrors(() => updateScenario(args as never, ctx)) }),
  );
  return { Scenario: ScenarioRef, Component };
}
