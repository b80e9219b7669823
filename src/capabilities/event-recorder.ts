import type { PluginEvent } from '../plugins/api.ts';
import type { EventInput } from '../engine/tagging/event-input.ts';
import type { IngestSummary } from '../engine/tagging/tagging-service.ts';

/** Events one ingest call takes at most; the rest wait for the next. */
const MAX_EVENTS_PER_INGEST = 256;

interface Pending {
  input: EventInput;
  resolve(tagIds: string[]): void;
  reject(err: unknown): void;
}

/**
 * Records the gateway's `agent_action` events (DESIGN §6) with group commit: while one ingest is
 * committing, the events that arrive for the same run (or live) queue, and the next ingest takes
 * them all, so concurrent requests share one tagging transaction instead of queueing for one each.
 * Resolves each event with the ids of the tags it newly produced. A batch that throws is retried
 * one event at a time, so an event the store refuses fails its own request only.
 */
export function createEventRecorder(ingest: (inputs: EventInput[], runId: string | null) => Promise<IngestSummary>) {
  const queues = new Map<string | null, Pending[]>();

  const ingestEach = async (batch: readonly Pending[], runId: string | null) => {
    for (const p of batch) {
      try {
        const summary = await ingest([p.input], runId);
        p.resolve(summary.results[0]?.newTagIds ?? []);
      } catch (err) {
        p.reject(err);
      }
    }
  };

  const drain = async (runId: string | null, queue: Pending[]) => {
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, MAX_EVENTS_PER_INGEST);
        try {
          const summary = await ingest(batch.map((p) => p.input), runId);
          batch.forEach((p, i) => p.resolve(summary.results[i]?.newTagIds ?? []));
        } catch (err) {
          if (batch.length === 1) batch[0]?.reject(err);
          else await ingestEach(batch, runId);
        }
      }
    } finally {
      queues.delete(runId);
    }
  };

  return {
    /** Stores the event with its tags (publishing them when live) and resolves with the new tag ids. */
    record(event: PluginEvent, runId: string | null): Promise<string[]> {
      return new Promise<string[]>((resolve, reject) => {
        const pending: Pending = { input: { ...event, occurredAt: event.occurredAt, payload: event.payload }, resolve, reject };
        const queue = queues.get(runId);
        if (queue) {
          queue.push(pending);
          return;
        }
        const fresh = [pending];
        queues.set(runId, fresh);
        void drain(runId, fresh);
      });
    },
  };
}
