import type { PluginEvent } from '../../plugins/api.ts';
import type { RuleState } from './rule-state.ts';
import type { Tag } from './tag.ts';

/**
 * Storage the tagging capability needs; implemented in `src/persistence/` (SQLite by default,
 * PostgreSQL later on the same entities). Every write is insert-or-ignore, so ingesting the same
 * events twice stores them once and creates each tag once.
 */

/** An event as stored: the validated event plus when it arrived. `runId` isolates replay runs. */
export interface EventRecord extends PluginEvent {
  ingestedAt: Date;
  runId: string | null;
}

/** One `ttpTagged` message: a source event and the tags it newly produced. */
export interface TaggedEventRecord {
  /** Monotonic position in the stream; the `after:` cursor of `ttpTagged`. */
  seq: number;
  sourceKind: string;
  sourceId: string;
  attackerId: string | null;
  sessionId: string | null;
  tagIds: string[];
  /** Distinct technique ids (sub-technique where present) among the new tags. */
  techniquesAdded: string[];
  createdAt: Date;
  runId: string | null;
}

export interface CommitResult {
  /** Events that were not stored before. */
  newEventCount: number;
  /** Ids of tags that did not exist before this commit. */
  newTagIds: Set<string>;
  /** One record per event that got at least one new tag, in `seq` order. */
  tagged: TaggedEventRecord[];
}

export interface TagFilter {
  /** A parent id also matches its sub-techniques. */
  techniqueId?: string | null;
  tactic?: string | null;
  ruleId?: string | null;
  sourceKind?: string | null;
  sourceId?: string | null;
  attackerId?: string | null;
  sessionId?: string | null;
  since?: Date | null;
  until?: Date | null;
  minConfidence?: number | null;
  /** Null: live data only. A run id: that replay run's data only. */
  runId?: string | null;
}

export interface TechniqueCount {
  techniqueId: string;
  subTechniqueId: string | null;
  tactic: string;
  count: number;
  maxConfidence: number;
}

export interface StoredTag extends Tag {
  createdAt: Date;
  runId: string | null;
}

export interface TagStore {
  /**
   * In one transaction: stores events and tags (insert-or-ignore) and, for each event that got new
   * tags, appends a tagged-event record. Tags whose event is not in `events` are still stored.
   */
  commit(events: readonly EventRecord[], tags: readonly Tag[], runId: string | null): Promise<CommitResult>;
  /** Tagged-event records with `seq > after` in seq order (for `ttpTagged(after:)` replay). */
  taggedSince(after: number, limit: number, runId: string | null): Promise<TaggedEventRecord[]>;
  /** Tags of one run (live when `runId` is null or absent): tag ids do not include the run. */
  tagsByIds(ids: readonly string[], runId?: string | null): Promise<StoredTag[]>;
  /** Newest first by (createdAt, id); `after` is the key of the last tag already seen. */
  listTags(filter: TagFilter, after: [string, string] | null, limit: number): Promise<StoredTag[]>;
  countTags(filter: TagFilter): Promise<number>;
  techniqueCounts(filter: TagFilter): Promise<TechniqueCount[]>;
  /** Stored events in ingest order, for backfill; `afterKey` pages by the store's own event key. */
  eventsSince(since: Date, sourceKind: string | null, afterKey: number, limit: number): Promise<{ key: number; event: EventRecord }[]>;
  countEvents(runId: string | null): Promise<number>;
  /** Live events `eventsSince` would return in total, for progress bars. */
  countEventsSince(since: Date, sourceKind: string | null): Promise<number>;
}

export interface RuleStateStore {
  all(): Promise<RuleState[]>;
  put(state: RuleState): Promise<void>;
  /** Removes a rule's state, recording who and why in the history; false when it had none. */
  remove(ruleId: string, by: string | null, reason: string | null): Promise<boolean>;
  /** Who changed what and why, newest first. */
  history(ruleId: string, limit: number): Promise<(RuleState & { action: 'set' | 'clear' })[]>;
}
