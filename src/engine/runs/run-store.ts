import type { EventRecord } from '../tagging/tag-store.ts';
import type { Tag } from '../tagging/tag.ts';
import type { RunFilter, RunOrder, RunRecord, RunState } from './run.ts';
import type { RunLogEntry, RunLogFilter } from './run-log.ts';
import type { RunStepResult } from './run-step-result.ts';

/**
 * What a run writes while it executes, stored in one transaction (see run-writer.ts): the events and
 * tags it produced that are new to the run, its step results and its log entries.
 */
export interface RunWriteBatch {
  events: EventRecord[];
  tags: Tag[];
  steps: RunStepResult[];
  logs: RunLogEntry[];
}

/** Runs, their step results and logs on the database (implemented in src/persistence/). */
export interface RunStore {
  insert(run: RunRecord): Promise<void>;
  update(run: RunRecord): Promise<void>;
  get(runId: string): Promise<RunRecord | null>;
  /** `after` is the (createdAt ISO, runId) key of the last run already seen, in `order`. */
  list(filter: RunFilter, order: RunOrder, after: [string, string] | null, limit: number): Promise<RunRecord[]>;
  count(filter: RunFilter): Promise<number>;
  countByState(): Promise<Record<RunState, number>>;
  /** A run started with this idempotency key by this caller, if any. */
  byIdempotencyKey(key: string, startedBy: string | null): Promise<RunRecord | null>;
  /** Runs not in a terminal state, oldest first. */
  unfinished(): Promise<RunRecord[]>;
  appendSteps(runId: string, steps: readonly RunStepResult[]): Promise<void>;
  /**
   * Stores a batch in one transaction. The batch's events and tags are claimed new to the run: if the
   * store already holds any of them under the run, nothing is stored and this rejects.
   */
  appendBatch(runId: string, batch: RunWriteBatch): Promise<void>;
  /** Step results with index > `after`, in order. */
  steps(runId: string, after: number, limit: number): Promise<RunStepResult[]>;
  appendLogs(entries: readonly RunLogEntry[]): Promise<void>;
  /** Oldest first, seq > `after`. */
  logs(runId: string, filter: RunLogFilter, after: number, limit: number): Promise<RunLogEntry[]>;
  countLogs(runId: string, filter: RunLogFilter): Promise<number>;
  /** Extends the lease `owner` holds on these runs to `until` (scale-out, issue #6 §4). */
  renewLeases(owner: string, runIds: readonly string[], until: Date): Promise<void>;
  /** Unfinished runs whose lease expired before `now`, held by any owner but `except`. */
  expiredLeases(now: Date, except: string): Promise<RunRecord[]>;
  /** Ended runs that still hold detail, newest first, beyond the newest `keep`. */
  detailBeyond(keep: number): Promise<string[]>;
  /** Deletes a run's events, tags, gateway requests, step results and logs (the summary stays). */
  purgeDetail(runId: string): Promise<void>;
}
