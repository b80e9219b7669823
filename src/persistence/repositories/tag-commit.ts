import type { EntityManager, Knex } from '@mikro-orm/knex';
import type { CommitResult, EventRecord, TaggedEventRecord } from '../../engine/tagging/tag-store.ts';
import type { Tag } from '../../engine/tagging/tag.ts';
import { fromRunKey, toRunKey } from '../entities/run-key.ts';
import { dialectOf } from '../dialect.ts';
import { sqliteTransaction, withSqliteSession, type SqliteSession } from '../sqlite-session.ts';
import { bulkInsert, bulkInsertSqlite, isOneStatement, type BulkInsert } from './bulk-insert.ts';
import { knexOf } from './sql-values.ts';
import {
  EVENT_INSERT_COLUMNS,
  EVENT_JSON_COLUMNS,
  TAG_INSERT_COLUMNS,
  TAG_JSON_COLUMNS,
  TAGGED_EVENT_INSERT_COLUMNS,
  TAGGED_EVENT_JSON_COLUMNS,
  eventValues,
  tagValues,
} from './tag-rows.ts';

const sourceKey = (kind: string, id: string) => `${kind}\u0000${id}`;

/**
 * `TagStore.commit`: in one transaction, stores events and tags insert-or-ignore and appends one
 * `tagged_events` row per input event that got at least one new tag, in input order (so `seq`
 * grows in that order). Tags whose event is not in `events` (re-tagging stored events) are stored
 * but get no tagged record: backfill does not publish (DESIGN §6).
 *
 * "New" is what the database says, not a guess: `insert … on conflict do nothing returning id`
 * returns exactly the rows this statement inserted, so a replay, or another instance that got
 * there first, yields no new ids. Bulk rows bypass the identity map and unit of work: on
 * PostgreSQL through knex inside the ORM's transaction, on SQLite through the held driver connection
 * (the same statements; see the dialect branch below).
 */
export async function commitTagging(
  em: EntityManager,
  events: readonly EventRecord[],
  tags: readonly Tag[],
  runId: string | null,
  now: Date,
): Promise<CommitResult> {
  const runKey = toRunKey(runId);
  for (const event of events) {
    if (event.runId !== runId) {
      throw new Error(`commit for run ${JSON.stringify(runId)} got event ${event.sourceKind}/${event.sourceId} of run ${JSON.stringify(event.runId)}`);
    }
  }
  const uniqueTags = [...new Map(tags.map((tag) => [tag.id, tag])).values()];
  const eventRows = events.map((event) => eventValues(event, runKey));
  const tagRows = uniqueTags.map((tag) => tagValues(tag, runKey, now));

  const write = async (insert: (request: BulkInsert) => Promise<Record<string, unknown>[]>): Promise<CommitResult> => {
    const insertedEvents = await insert({
      table: 'events',
      columns: EVENT_INSERT_COLUMNS,
      jsonColumns: EVENT_JSON_COLUMNS,
      rows: eventRows,
      ignoreConflictsOn: ['source_kind', 'source_id', 'run_id'],
      returning: ['key'],
    });
    const insertedTags = tagRows.length === 0 ? [] : await insert({
      table: 'tags',
      columns: TAG_INSERT_COLUMNS,
      jsonColumns: TAG_JSON_COLUMNS,
      rows: tagRows,
      ignoreConflictsOn: ['id', 'run_id'],
      returning: ['id'],
    });
    const newTagIds = new Set(insertedTags.map((row) => String(row.id)));
    const tagged = await appendTaggedEvents(insert, events, uniqueTags, newTagIds, runKey, now);
    return { newEventCount: insertedEvents.length, newTagIds, tagged };
  };

  // DIALECT BRANCH: on SQLite the transaction runs on the held driver connection (sqlite-session.ts),
  // about a third of the driver calls of the same statements through knex and the ORM's transaction.
  // Not inside a caller's open transaction, which already holds the one connection: that one is joined.
  // Events without tags are one INSERT (most events and agent actions tag nothing), atomic on its
  // own: no BEGIN and COMMIT around it, a third of the driver calls.
  const knex = knexOf(em);
  if (dialectOf(knex) === 'sqlite' && !em.isInTransaction()) {
    const sqlite = (session: SqliteSession) => write((insert) => bulkInsertSqlite(session, insert));
    return tagRows.length === 0 && isOneStatement(eventRows.length) ? withSqliteSession(knex, sqlite) : sqliteTransaction(knex, sqlite);
  }
  return em.transactional(async (tx) => {
    const trx = tx.getTransactionContext<Knex.Transaction>();
    if (!trx) throw new Error('commitTagging: no transaction context inside transactional()');
    return write((insert) => bulkInsert(trx, insert));
  });
}

async function appendTaggedEvents(
  insert: (request: BulkInsert) => Promise<Record<string, unknown>[]>,
  events: readonly EventRecord[],
  tags: readonly Tag[],
  newTagIds: ReadonlySet<string>,
  runKey: string,
  now: Date,
): Promise<TaggedEventRecord[]> {
  if (newTagIds.size === 0) return [];
  const newBySource = new Map<string, Tag[]>();
  for (const tag of tags) {
    if (!newTagIds.has(tag.id)) continue;
    const key = sourceKey(tag.sourceKind, tag.sourceId);
    const list = newBySource.get(key);
    if (list) list.push(tag);
    else newBySource.set(key, [tag]);
  }

  const pending = new Map<string, TaggedEventRecord>();
  const rows: unknown[][] = [];
  for (const event of events) {
    const key = sourceKey(event.sourceKind, event.sourceId);
    const fresh = newBySource.get(key);
    if (!fresh || pending.has(key)) continue; // an event listed twice gets one record
    const record: TaggedEventRecord = {
      seq: 0,
      sourceKind: event.sourceKind,
      sourceId: event.sourceId,
      attackerId: event.attackerId,
      sessionId: event.sessionId,
      tagIds: fresh.map((t) => t.id),
      techniquesAdded: [...new Set(fresh.map((t) => t.subTechniqueId ?? t.techniqueId))],
      createdAt: now,
      runId: fromRunKey(runKey),
    };
    pending.set(key, record);
    rows.push([record.sourceKind, record.sourceId, record.attackerId, record.sessionId, record.tagIds, record.techniquesAdded, now, runKey]);
  }

  const inserted = await insert({
    table: 'tagged_events',
    columns: TAGGED_EVENT_INSERT_COLUMNS,
    jsonColumns: TAGGED_EVENT_JSON_COLUMNS,
    rows,
    ignoreConflictsOn: null,
    returning: ['seq', 'source_kind', 'source_id'],
  });
  for (const row of inserted) {
    const record = pending.get(sourceKey(String(row.source_kind), String(row.source_id)));
    if (record) record.seq = Number(row.seq);
  }
  // RETURNING does not promise row order; seq does (rows were inserted in input order).
  return [...pending.values()].sort((a, b) => a.seq - b.seq);
}
