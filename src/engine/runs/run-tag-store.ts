import type { Tag } from '../tagging/tag.ts';
import type { CommitResult, EventRecord, TagStore } from '../tagging/tag-store.ts';
import type { RunWriter } from './run-writer.ts';

const sourceKey = (e: { sourceKind: string; sourceId: string }) => `${e.sourceKind}\u0000${e.sourceId}`;

/**
 * The tag store a run's own tagging service commits to (issue #5 §4, benchmarks). A run is the only
 * writer of rows under its run id — the id is new, one instance executes it, and a run cut short is
 * never resumed — so what is new to the run is known here without asking the database: an event
 * whose source was not committed by this run before, a tag whose id was not. `commit` answers at
 * once and queues the new rows on the run's writer, which stores them with the chunk's step results
 * and logs; the database still checks the claim (run-repository's `appendBatch`), and a failed write
 * fails the run through the step writes queued behind it.
 *
 * A run publishes nothing, so it has no `ttpTagged` stream: `tagged` is always empty and no
 * tagged-event rows are stored. Reads go to `reads`.
 */
export function createRunTagStore(deps: { runId: string; writer: RunWriter; reads: TagStore }): TagStore {
  const sources = new Set<string>();
  const tagIds = new Set<string>();
  return {
    ...deps.reads,
    async commit(events: readonly EventRecord[], tags: readonly Tag[], runId: string | null): Promise<CommitResult> {
      if (runId !== deps.runId) throw new Error(`the tag store of run ${deps.runId} got a commit for run ${JSON.stringify(runId)}`);
      const newEvents: EventRecord[] = [];
      for (const event of events) {
        if (event.runId !== runId) throw new Error(`commit for run ${runId} got event ${event.sourceKind}/${event.sourceId} of run ${JSON.stringify(event.runId)}`);
        const key = sourceKey(event);
        if (sources.has(key)) continue;
        sources.add(key);
        newEvents.push(event);
      }
      const newTags: Tag[] = [];
      for (const tag of tags) {
        if (tagIds.has(tag.id)) continue;
        tagIds.add(tag.id);
        newTags.push(tag);
      }
      if (newEvents.length > 0 || newTags.length > 0) {
        // Not awaited: the write resolves with the chunk; a failure reaches the run through the writer.
        deps.writer.add({ events: newEvents, tags: newTags }).catch(() => {});
      }
      return { newEventCount: newEvents.length, newTagIds: new Set(newTags.map((t) => t.id)), tagged: [] };
    },
  };
}
