import { LOG_LEVELS, RUN_LOG_EVENT_TYPES, type RunLogEntry } from '../engine/runs/run-log.ts';
import { runLogs } from '../resolvers/operator/run-queries.ts';
import { runLogStream } from '../resolvers/operator/run-streams.ts';
import type { Builder } from './builder.ts';
import { connectionType, pageArgs } from './connection.ts';

/** Per-run structured logs (issue #5 §6): a paged query and a replay-then-tail subscription. */
export function addRunLogs(builder: Builder) {
  const Level = builder.enumType('RunLogLevel', { values: LOG_LEVELS });
  const EventType = builder.enumType('RunLogEventType', { values: Object.fromEntries(RUN_LOG_EVENT_TYPES.map((v) => [v.toUpperCase(), { value: v }])) as Record<Uppercase<(typeof RUN_LOG_EVENT_TYPES)[number]>, { value: (typeof RUN_LOG_EVENT_TYPES)[number] }> });
  const Entry = builder.objectRef<RunLogEntry>('RunLogEntry').implement({
    fields: (t) => ({
      runId: t.exposeString('runId'),
      seq: t.exposeInt('seq', { description: '1, 2, 3… within the run; pass the last one seen as `after`.' }),
      timestamp: t.expose('timestamp', { type: 'DateTime' }),
      level: t.field({ type: Level, resolve: (e) => e.level }),
      eventType: t.field({ type: EventType, resolve: (e) => e.eventType }),
      message: t.exposeString('message'),
      payload: t.field({ type: 'JSON', resolve: (e) => e.payload }),
    }),
  });
  const Filter = builder.inputType('RunLogFilter', {
    fields: (t) => ({
      level: t.field({ type: Level, required: false, description: 'Exactly this level.' }),
      minLevel: t.field({ type: Level, required: false, description: 'This level or more severe.' }),
      eventType: t.field({ type: EventType, required: false }),
      since: t.field({ type: 'DateTime', required: false }),
      until: t.field({ type: 'DateTime', required: false }),
    }),
  });
  builder.queryField('runLogs', (t) =>
    t.field({
      type: connectionType(builder, 'RunLogEntry', Entry),
      description: 'A run’s log, oldest first.',
      args: { runId: t.arg.string(), filter: t.arg({ type: Filter, required: false }), ...pageArgs(t.arg) },
      resolve: (_r, args, ctx) => runLogs(args, ctx),
    }),
  );
  builder.subscriptionField('runLogs', (t) =>
    t.field({
      type: Entry,
      description: 'Replays the entries after `after` (default: all), then tails live ones with no gap and no duplicate; completes after the run’s final entry.',
      args: { runId: t.arg.string(), minLevel: t.arg({ type: Level, required: false }), after: t.arg.int({ required: false }) },
      subscribe: (_r, args, ctx) => runLogStream(args, ctx),
      resolve: (e) => e,
    }),
  );
}
