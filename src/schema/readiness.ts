import { HINT_SEVERITIES, READINESS_STATES, SUBSYSTEM_STATUSES, type Readiness, type ReadinessHint, type SubsystemReport } from '../engine/readiness/readiness.ts';
import { readiness } from '../resolvers/query/readiness.ts';
import { readinessChanged } from '../resolvers/subscription/readiness-changed.ts';
import type { Builder } from './builder.ts';

export function addReadiness(builder: Builder): void {
  const State = builder.enumType('ReadinessState', {
    description: 'READY: everything works. DEGRADED: serving, with a problem (see hints). UNAVAILABLE: a critical subsystem is down.',
    values: READINESS_STATES,
  });
  const Status = builder.enumType('SubsystemStatus', { values: SUBSYSTEM_STATUSES });
  const Severity = builder.enumType('HintSeverity', { values: HINT_SEVERITIES });

  const Subsystem = builder.objectRef<SubsystemReport>('Subsystem').implement({
    fields: (t) => ({
      name: t.exposeString('name', { description: 'e.g. database, pubsub.' }),
      status: t.field({ type: Status, resolve: (s) => s.status }),
      reason: t.exposeString('reason', { nullable: true, description: 'Why the subsystem is not UP.' }),
    }),
  });
  const Hint = builder.objectRef<ReadinessHint>('ReadinessHint').implement({
    description: 'Something an operator should know or do.',
    fields: (t) => ({
      code: t.exposeString('code'),
      severity: t.field({ type: Severity, resolve: (h) => h.severity }),
      message: t.exposeString('message'),
    }),
  });
  const ReadinessRef = builder.objectRef<Readiness>('Readiness').implement({
    fields: (t) => ({
      state: t.field({ type: State, resolve: (r) => r.state }),
      checkedAt: t.expose('checkedAt', { type: 'DateTime' }),
      subsystems: t.field({ type: [Subsystem], resolve: (r) => r.subsystems }),
      hints: t.field({ type: [Hint], resolve: (r) => r.hints }),
    }),
  });

  builder.queryField('readiness', (t) => t.field({ type: ReadinessRef, resolve: (_root, args, ctx) => readiness(args, ctx) }));
  builder.subscriptionField('readinessChanged', (t) =>
    t.field({
      type: ReadinessRef,
      description: 'The current readiness, then the readiness object each time its state, a subsystem or a hint changes.',
      subscribe: (_root, args, ctx) => readinessChanged(args, ctx),
      resolve: (r) => r,
    }),
  );
}
