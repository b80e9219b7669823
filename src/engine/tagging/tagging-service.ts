import type { PluginEvent, SourceKindDefinition } from '../../plugins/api.ts';
import { nextTurn } from '../next-turn.ts';
import { createSerialLane } from '../serial-lane.ts';
import { EventInputError, parseEventInput, type EventInput } from './event-input.ts';
import type { RuleEngine } from './rule-engine.ts';
import type { Tag } from './tag.ts';
import type { EventRecord, TagStore, TaggedEventRecord } from './tag-store.ts';

/** One `ttpTagged` message (DESIGN §6): exactly the tags an event newly produced. */
export interface TtpTaggedMessage extends Omit<TaggedEventRecord, 'tagIds'> {
  tags: Tag[];
}

export interface IngestItemResult {
  index: number;
  accepted: boolean;
  sourceKind: string | null;
  sourceId: string | null;
  /** Field at fault when not accepted. */
  field: string | null;
  error: string | null;
  /** Ids of the tags this event (and, for a session, its commands) newly created. */
  newTagIds: string[];
  /** Those tags themselves. */
  newTags: Tag[];
}

export interface IngestSummary {
  results: IngestItemResult[];
  accepted: number;
  rejected: number;
  newEvents: number;
  newTags: number;
}

export interface IngestOptions {
  /** The replay run the events belong to; null or absent: live. */
  runId?: string | null;
  /** False: store without publishing `ttpTagged` (backfill, replay runs). */
  publish?: boolean;
  /** Tag with this engine instead of the live one (a replay run's own engine and lifter state). */
  engine?: RuleEngine;
}

export interface TaggingService {
  /**
   * Validates, tags, stores and — after the commit — publishes. Invalid events are rejected one by one;
   * the valid ones in the same call still land. Resolves only when everything is committed. Calls may
   * overlap: they are tagged one after another and committed one after another, both in call order, so
   * a caller can tag the next batch while the previous one commits.
   */
  ingest(inputs: readonly EventInput[], options?: IngestOptions): Promise<IngestSummary>;
  /** Re-tags already stored events with the current rules without publishing (idempotent). */
  retag(events: readonly EventRecord[]): Promise<{ newTags: number }>;
}

/** Events tagged between two turns of the event loop (see next-turn.ts). */
const TURN_EVERY_EVENTS = 100;

export function createTaggingService(deps: {
  store: TagStore;
  engine: () => RuleEngine;
  kinds: () => ReadonlyMap<string, SourceKindDefinition>;
  publish(message: TtpTaggedMessage): void;
  now?: () => Date;
}): TaggingService {
  const now = deps.now ?? (() => new Date());
  // Tagging runs one call at a time, so lifters see events in call order whatever the caller overlaps.
  // Commits and publishes run one at a time too, so ttpTagged messages go out in seq order (a
  // subscriber resuming with `after:` relies on that to have no gap and no duplicate). A call enters
  // the commit lane when it leaves the tagging lane, so both keep call order.
  const tagging = createSerialLane();
  const committing = createSerialLane();

  const tagAll = async (events: readonly PluginEvent[], engine: RuleEngine = deps.engine()) => {
    const tags: Tag[] = [];
    for (let i = 0; i < events.length; i += 1) {
      // A turn now and then, so the previous batch's commit proceeds while this one is tagged.
      if (i > 0 && i % TURN_EVERY_EVENTS === 0) await nextTurn();
      tags.push(...(await engine.evaluate(events[i] as PluginEvent)));
    }
    return tags;
  };

  const commitAndPublish = async (events: readonly EventRecord[], tags: readonly Tag[], runId: string | null, publish: boolean) => {
    const result = await deps.store.commit(events, tags, runId);
    if (publish) {
      const byId = new Map(tags.map((t) => [t.id, t]));
      for (const { tagIds, ...record } of result.tagged) {
        deps.publish({ ...record, tags: tagIds.map((id) => byId.get(id)).filter((t): t is Tag => t !== undefined) });
      }
    }
    return result;
  };

  return {
    async ingest(inputs, options = {}) {
      const runId = options.runId ?? null;
      const arrived = now();
      const kinds = deps.kinds();
      const results: IngestItemResult[] = [];
      const owner: number[] = [];
      const events: EventRecord[] = [];
      // Validation happens in the tagging lane too: it turns the event loop, and a call that entered
      // the lane after it began validating must not overtake it.
      const { tags, committed } = await tagging.run(async () => {
        for (let index = 0; index < inputs.length; index += 1) {
          // Validating a large batch is work on this thread too: the previous batch's commit needs turns meanwhile.
          if (index > 0 && index % TURN_EVERY_EVENTS === 0) await nextTurn();
          const input = inputs[index] as EventInput;
          try {
            const parsed = parseEventInput(input, kinds, arrived);
            for (const e of parsed) {
              events.push({ ...e, ingestedAt: arrived, runId });
              owner.push(index);
            }
            results.push({ index, accepted: true, sourceKind: parsed[0]?.sourceKind ?? null, sourceId: parsed[0]?.sourceId ?? null, field: null, error: null, newTagIds: [], newTags: [] });
          } catch (err) {
            if (!(err instanceof EventInputError)) throw err;
            results.push({ index, accepted: false, sourceKind: input?.sourceKind ?? null, sourceId: input?.sourceId ?? null, field: err.field, error: err.message, newTagIds: [], newTags: [] });
          }
        }
        const tags = await tagAll(events, options.engine);
        // Queued before this call leaves the tagging lane, so commits keep call order.
        return { tags, committed: committing.run(() => commitAndPublish(events, tags, runId, options.publish !== false)) };
      });
      const ownerOf = new Map(events.map((e, i) => [`${e.sourceKind}\u0000${e.sourceId}`, owner[i] as number]));
      const commit = await committed;
      for (const tag of tags) {
        if (!commit.newTagIds.has(tag.id)) continue;
        const index = ownerOf.get(`${tag.sourceKind}\u0000${tag.sourceId}`);
        const result = index === undefined ? undefined : results[index];
        result?.newTagIds.push(tag.id);
        result?.newTags.push(tag);
      }
      const accepted = results.filter((r) => r.accepted).length;
      return { results, accepted, rejected: results.length - accepted, newEvents: commit.newEventCount, newTags: commit.newTagIds.size };
    },
    async retag(events) {
      const { committed } = await tagging.run(async () => {
        const tags = await tagAll(events);
        return { committed: committing.run(() => deps.store.commit([], tags, events[0]?.runId ?? null)) };
      });
      const commit = await committed;
      return { newTags: commit.newTagIds.size };
    },
  };
}
