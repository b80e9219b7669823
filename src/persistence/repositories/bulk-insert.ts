import type { Knex } from '@mikro-orm/knex';
import { dialectOf } from '../dialect.ts';
import type { SqliteSession } from '../sqlite-session.ts';

export interface BulkInsert {
  table: string;
  /** Column names, in the order of each row's values. */
  columns: readonly string[];
  /** Columns stored as JSON text; their values are given as plain JSON-able values. */
  jsonColumns: readonly string[];
  rows: readonly (readonly unknown[])[];
  /** Columns of the unique key whose conflicts are skipped (insert-or-ignore); null: plain insert. */
  ignoreConflictsOn: readonly string[] | null;
  /**
   * Columns to return for the rows this statement actually inserted; none: no `returning` clause
   * (the driver builds one object per returned row, which costs as much as a third of the insert).
   */
  returning: readonly string[];
}

/**
 * Multi-row insert-or-ignore that reports exactly the rows it inserted (`returning`: SQLite ≥ 3.35
 * and PostgreSQL return only inserted rows under `on conflict do nothing`). Rows are inserted in
 * the given order, so auto-increment keys grow in that order. Dates are stored the way MikroORM
 * stores them for the dialect, so entities read these rows back unchanged.
 *
 * DIALECT BRANCH for `insert … on conflict do nothing returning` (the one place every bulk write
 * goes through): each dialect has a one-parameter path (`insertSqlite`, `insertPostgres`) that
 * stores exactly what `insertPortable`, the plain knex form, stores; the tests compare them.
 */
export async function bulkInsert(trx: Knex.Transaction, insert: BulkInsert): Promise<Record<string, unknown>[]> {
  const write = dialectOf(trx) === 'sqlite' ? insertSqlite : insertPostgres;
  return inBatches(insert, (batch) => write(trx, batch));
}

/**
 * SQLITE-ONLY: `bulkInsert` on a held node-sqlite3 connection (sqlite-session.ts), inside a
 * transaction the caller opened there: the same statement and parameter as `insertSqlite`, prepared
 * once per connection, one driver call per batch instead of knex's prepare, run and finalize.
 */
export function bulkInsertSqlite(session: SqliteSession, insert: BulkInsert): Promise<Record<string, unknown>[]> {
  return inBatches(insert, async (batch) => {
    const sql = sqliteInsertSql(batch, '?');
    const json = sqliteRowsJson(batch);
    if (batch.returning.length === 0) {
      await session.run(sql, [json]);
      return [];
    }
    return session.all<Record<string, unknown>>(sql, [json]);
  });
}

/** One parameter per batch on both dialects, so only memory bounds a batch. */
const BATCH_ROWS = 2000;

/** Whether a bulk insert of `rows` rows is one statement (atomic without a transaction of its own). */
export const isOneStatement = (rows: number): boolean => rows <= BATCH_ROWS;

async function inBatches(insert: BulkInsert, write: (batch: BulkInsert) => Promise<Record<string, unknown>[]>): Promise<Record<string, unknown>[]> {
  if (isOneStatement(insert.rows.length)) return write(insert);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < insert.rows.length; i += BATCH_ROWS) {
    out.push(...(await write({ ...insert, rows: insert.rows.slice(i, i + BATCH_ROWS) })));
  }
  return out;
}

const quoteName = (name: string) => `"${name.replaceAll('"', '""')}"`;
const returningClause = (columns: readonly string[]) => (columns.length === 0 ? '' : ` returning ${columns.map(quoteName).join(', ')}`);

/** Any dialect: knex's multi-row insert, one bound parameter per value. At most 500 rows on SQLite. */
export async function insertPortable(trx: Knex.Transaction, insert: BulkInsert): Promise<Record<string, unknown>[]> {
  const json = insert.columns.map((column) => insert.jsonColumns.includes(column));
  const records = insert.rows.map((row) => Object.fromEntries(insert.columns.map((column, i) => [column, json[i] ? JSON.stringify(row[i]) : row[i]])));
  const query = trx(insert.table).insert(records);
  if (insert.ignoreConflictsOn) query.onConflict([...insert.ignoreConflictsOn]).ignore();
  if (insert.returning.length > 0) return query.returning([...insert.returning]);
  await query;
  return [];
}

/**
 * SQLITE-ONLY: the one dialect-specific query of the bulk path. The sqlite3 driver spends about
 * 2 µs binding each parameter, which made the portable form the bottleneck of ingest (a 1,000-event
 * commit binds about 25,000 values). Here a whole batch is ONE parameter, a JSON array of rows that
 * SQLite unpacks with `json_each` (JSON1, `->>`/`->` and materialized CTEs: SQLite ≥ 3.38, which the
 * sqlite3 package bundles). The CTE is materialized so each row's JSON is rendered once rather than
 * once per column. `->>` yields SQL text/numbers/NULL; `->` keeps a JSON column's value as JSON
 * text. `order by` the array index makes the insert order, and so the auto-increment keys, follow
 * the input. Dates go in as epoch milliseconds, which is how MikroORM stores them on SQLite.
 */
export async function insertSqlite(trx: Knex.Transaction, insert: BulkInsert): Promise<Record<string, unknown>[]> {
  const rows: unknown = await trx.raw(sqliteInsertSql(insert, '?'), [sqliteRowsJson(insert)]);
  return insert.returning.length === 0 ? [] : (rows as Record<string, unknown>[]);
}

/** The rows as `insertSqlite` hands them to `json_each`. */
export const sqliteRowsJson = (insert: BulkInsert): string => JSON.stringify(insert.rows.map((row) => row.map((value) => (value instanceof Date ? value.getTime() : value))));

/** `insertSqlite`'s statement, reading the rows' JSON from `json` (a parameter or a literal). */
export function sqliteInsertSql(insert: BulkInsert, json: string): string {
  const values = insert.columns.map((column, i) => (insert.jsonColumns.includes(column) ? `r.v -> ${i}` : `r.v ->> ${i}`));
  const conflict = insert.ignoreConflictsOn ? ` on conflict (${insert.ignoreConflictsOn.map(quoteName).join(', ')}) do nothing` : '';
  return (
    `with r (i, v) as materialized (select key, value from json_each(${json})) ` +
    `insert into ${quoteName(insert.table)} (${insert.columns.map(quoteName).join(', ')}) ` +
    `select ${values.join(', ')} from r where true order by r.i${conflict}${returningClause(insert.returning)}`
  );
}

/**
 * POSTGRESQL-ONLY: the same idea as `insertSqlite`. Knex compiles and pg binds one parameter per
 * value, which made the portable form the bottleneck of ingest on PostgreSQL too; here a batch is
 * ONE `json` parameter, an array of row objects keyed by column name, that
 * `json_populate_recordset(null::<table>, …)` turns into rows of the table's own row type, so
 * every value is parsed by its column's type (ISO dates into `timestamptz`, nested values into
 * `json` columns as written). `with ordinality` and `order by` keep the input order, and so the
 * serial keys, as in the other paths. A JSON column's value must not be JSON `null` here (it would
 * become SQL NULL); the tagging rows' JSON columns are always objects or arrays.
 */
export async function insertPostgres(trx: Knex.Transaction, insert: BulkInsert): Promise<Record<string, unknown>[]> {
  const quote = quoteName;
  const json = JSON.stringify(insert.rows.map((row) => Object.fromEntries(insert.columns.map((column, i) => [column, row[i] ?? null]))));
  const columns = insert.columns.map(quote).join(', ');
  const conflict = insert.ignoreConflictsOn ? ` on conflict (${insert.ignoreConflictsOn.map(quote).join(', ')}) do nothing` : '';
  const sql =
    `insert into ${quote(insert.table)} (${columns}) ` +
    `select ${insert.columns.map((c) => `r.${quote(c)}`).join(', ')} ` +
    `from json_populate_recordset(null::${quote(insert.table)}, ?::json) with ordinality as r order by r.ordinality${conflict}${returningClause(insert.returning)}`;
  const result = (await trx.raw(sql, [json])) as { rows: Record<string, unknown>[] };
  return insert.returning.length === 0 ? [] : result.rows;
}
