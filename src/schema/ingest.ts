import type { ObjectRef } from '@pothos/core';
import type { IngestItemResult, IngestSummary, TtpTaggedMessage } from '../engine/tagging/tagging-service.ts';
import type { Tag } from '../engine/tagging/tag.ts';
import { ingestEvents } from '../resolvers/mutation/ingest-events.ts';
import { ttpTagged } from '../resolvers/subscription/ttp-tagged.ts';
import type { Builder, Types } from './builder.ts';
import { withUserErrors, type UserError } from './user-error.ts';

export function addIngest(builder: Builder, UserErrorRef: ObjectRef<Types, UserError>, TagRef: ObjectRef<Types, Tag>): void {
  const EventInput = builder.inputType('EventInput', {
    description: 'One event. The payload is checked against its source kind (docs/source-kinds.md).',
    fields: (t) => ({
      sourceKind: t.string({ description: 'command, http_request, auth_attempt, session, agent_action, or a plugin kind.' }),
      sourceId: t.string({ description: 'Unique within the source kind; ingesting the same id again is idempotent.' }),
      occurredAt: t.field({ type: 'DateTime', required: false, description: 'Event time; default: when it arrived.' }),
      attackerId: t.string({ required: false }),
      sessionId: t.string({ required: false }),
      host: t.string({ required: false }),
      payload: t.field({ type: 'JSON' }),
    }),
  });
  const Input = builder.inputType('IngestEventsInput', {
    fields: (t) => ({
      events: t.field({ type: [EventInput], description: 'At most 1000; POST /ingest takes NDJSON of any size.' }),
      idempotencyKey: t.string({ required: false, description: 'A repeat from the same token returns the first result with deduplicated: true.' }),
    }),
  });
  const Result = builder.objectRef<IngestItemResult>('IngestEventResult').implement({
    fields: (t) => ({
      index: t.exposeInt('index', { description: 'Position in the input list.' }),
      accepted: t.exposeBoolean('accepted'),
      sourceKind: t.exposeString('sourceKind', { nullable: true }),
      sourceId: t.exposeString('sourceId', { nullable: true }),
      field: t.exposeString('field', { nullable: true, description: 'Field at fault when not accepted.' }),
      error: t.exposeString('error', { nullable: true }),
      newTagIds: t.exposeStringList('newTagIds', { description: 'Tags this event newly created (empty on a replay of the same event).' }),
    }),
  });
  const Payload = builder.objectRef<Partial<IngestSummary & { deduplicated: boolean }> & { userErrors: UserError[] }>('IngestEventsPayload').implement({
    description: 'Resolved after the accepted events and their tags are committed.',
    fields: (t) => ({
      results: t.field({ type: [Result], resolve: (p) => p.results ?? [] }),
      accepted: t.int({ resolve: (p) => p.accepted ?? 0 }),
      rejected: t.int({ resolve: (p) => p.rejected ?? 0 }),
      newEvents: t.int({ resolve: (p) => p.newEvents ?? 0 }),
      newTags: t.int({ resolve: (p) => p.newTags ?? 0 }),
      deduplicated: t.boolean({ resolve: (p) => p.deduplicated ?? false }),
      userErrors: t.field({ type: [UserErrorRef], resolve: (p) => p.userErrors }),
    }),
  });
  builder.mutationField('ingestEvents', (t) =>
    t.field({ type: Payload, args: { input: t.arg({ type: Input }) }, resolve: (_root, args, ctx) => withUserErrors(() => ingestEvents(args, ctx)) }),
  );

  const Message = builder.objectRef<TtpTaggedMessage>('TtpTaggedMessage').implement({
    description: 'A source event and exactly the tags it newly produced.',
    fields: (t) => ({
      cursor: t.string({ description: 'Pass as `after` to resume after this message.', resolve: (m) => String(m.seq) }),
      sourceKind: t.exposeString('sourceKind'),
      sourceId: t.exposeString('sourceId'),
      attackerId: t.exposeString('attackerId', { nullable: true }),
      sessionId: t.exposeString('sessionId', { nullable: true }),
      tags: t.field({ type: [TagRef], resolve: (m) => m.tags }),
      techniquesAdded: t.exposeStringList('techniquesAdded'),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });
  const Filter = builder.inputType('TtpTaggedFilter', {
    fields: (t) => ({
      sourceKind: t.string({ required: false }),
      attackerId: t.string({ required: false }),
      sessionId: t.string({ required: false }),
      techniqueId: t.string({ required: false, description: 'A parent id also matches its sub-techniques.' }),
      tactic: t.string({ required: false }),
      minConfidence: t.float({ required: false }),
    }),
  });
  builder.subscriptionField('ttpTagged', (t) =>
    t.field({
      type: Message,
      description: 'New tags as they are committed. With `after`, first replays every later message from the store, with no gap and no duplicate.',
      args: { filter: t.arg({ type: Filter, required: false }), after: t.arg.string({ required: false }) },
      subscribe: (_root, args, ctx) => ttpTagged(args, ctx),
      resolve: (m) => m,
    }),
  );
}
