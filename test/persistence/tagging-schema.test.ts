import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/persistence/database.ts';
import { EventEntity } from '../../src/persistence/entities/event.entity.ts';
import { TagEntity } from '../../src/persistence/entities/tag.entity.ts';
import { TaggedEventEntity } from '../../src/persistence/entities/tagged-event.entity.ts';
import { Migration0002Tagging } from '../../src/persistence/migrations/migration-0002-tagging.ts';
import { insertPortable, insertPostgres, insertSqlite, type BulkInsert } from '../../src/persistence/repositories/bulk-insert.ts';
import { toDate } from '../../src/persistence/repositories/sql-values.ts';
import { createTagRepository } from '../../src/persistence/repositories/tag-repository.ts';
import { EVENT_INSERT_COLUMNS, EVENT_JSON_COLUMNS, eventValues } from '../../src/persistence/repositories/tag-rows.ts';
import { schemaObjects } from './schema-objects.ts';
import { at, makeEvent, makeTag, onPostgres, openTestDatabase } from './tagging-fixtures.ts';

describe('tagging schema', () => {
  let db: Database;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ db, close } = await openTestDatabase());
  });
  afterEach(() => close());

  it('creates every table and index, including the api_tokens index migration 0001 missed', async () => {
    // Later migrations add more tables; these are the ones migration 0002 must have created.
    expect(await schemaObjects(db, 'table')).toEqual(expect.arrayContaining(['api_tokens', 'events', 'mikro_orm_migrations', 'rule_state_history', 'rule_states', 'tagged_events', 'tags']));
    expect(await schemaObjects(db, 'index')).toEqual(expect.arrayContaining([
      'api_tokens_created_at_id_index',
      'events_source_run_unique',
      'rule_state_history_rule_index',
      'tagged_events_run_seq_index',
      'tags_attacker_index',
      'tags_rule_index',
      'tags_run_created_index',
      'tags_session_index',
      'tags_source_index',
      'tags_technique_index',
    ]));
  });

  it('drops the tagging tables on down', async () => {
    const em = db.fork();
    const migration = new Migration0002Tagging(em.getDriver(), em.config);
    await migration.down();
    for (const sql of migration.getQueries()) await em.getConnection().execute(String(sql));
    const left = await schemaObjects(db, 'table');
    for (const table of ['events', 'tags', 'tagged_events', 'rule_states', 'rule_state_history']) expect(left).not.toContain(table);
    expect(left).toContain('api_tokens');
  });

  it('reads rows written by the bulk path back through the entities, dates to the millisecond', async () => {
    const store = createTagRepository(() => db.fork(), { now: () => at(5) });
    const event = makeEvent('e1');
    const tag = makeTag(event);
    await store.commit([event], [tag], null);
    const em = db.fork();

    const [storedEvent] = await em.find(EventEntity, {});
    expect(storedEvent).toMatchObject({ sourceId: 'e1', occurredAt: event.occurredAt, ingestedAt: event.ingestedAt, payload: event.payload, runId: '' });
    expect(storedEvent?.occurredAt.toISOString()).toBe('2024-05-06T07:08:09.123Z');

    const [storedTag] = await em.find(TagEntity, { createdAt: at(5) });
    expect(storedTag).toMatchObject({ id: tag.id, confidence: 0.8, evidence: tag.evidence, occurredAt: tag.occurredAt, createdAt: at(5), subTechniqueId: 'T1003.008' });

    const [record] = await em.find(TaggedEventEntity, {});
    expect(record).toMatchObject({ tagIds: [tag.id], techniquesAdded: ['T1003.008'], createdAt: at(5), runId: '' });
  });

  // Each dialect's one-parameter bulk path (bulk-insert.ts) against the plain knex form.
  it(`stores the same column values through the portable insert as through the ${onPostgres() ? 'PostgreSQL' : 'SQLite'} one`, async () => {
    const event = makeEvent('same', { payload: { text: `it's "quoted" — ünïcode`, n: 1.5, nested: [null, true] }, host: null });
    const insert = (sourceId: string): BulkInsert => ({
      table: 'events',
      columns: EVENT_INSERT_COLUMNS,
      jsonColumns: EVENT_JSON_COLUMNS,
      rows: [eventValues({ ...event, sourceId }, '')],
      ignoreConflictsOn: ['source_kind', 'source_id', 'run_id'],
      returning: ['key'],
    });
    const insertFast = db.dialect === 'sqlite' ? insertSqlite : insertPostgres;
    const knex = db.fork().getKnex();
    await knex.transaction(async (trx) => {
      expect(await insertPortable(trx, insert('portable'))).toHaveLength(1);
      expect(await insertFast(trx, insert('fast'))).toHaveLength(1);
      expect(await insertPortable(trx, insert('fast'))).toEqual([]);
      expect(await insertFast(trx, insert('portable'))).toEqual([]);
    });
    const rows: Record<string, unknown>[] = await knex('events').select('*').orderBy('key');
    const strip = ({ key: _key, source_id: _id, ...rest }: Record<string, unknown>) => rest;
    expect(rows).toHaveLength(2);
    expect(strip(rows[1]!)).toEqual(strip(rows[0]!));
    expect(rows[0]).toMatchObject({ host: null });
    if (db.dialect === 'sqlite') expect(rows[0]).toMatchObject({ occurred_at: event.occurredAt.getTime(), payload: JSON.stringify(event.payload) });
    else expect([toDate(rows[0]!.occurred_at), rows[0]!.payload]).toEqual([event.occurredAt, event.payload]);
  });
});
