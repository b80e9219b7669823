import type { Knex } from '@mikro-orm/knex';
import { dialectOf } from '../dialect.ts';

export interface BulkInsert {
  table: string;
  /** Column names, in the order of each row's values. */
  columns: readonly string[];
  /** Columns stored as JSON text; their values are given as plain JSON-able values. */
  jsonColumns: readonly string[];
  rows: readonly (readonly unknown[])[];
  /** Columns of the unique key whose conflicts are skipped (insert-or-ignore); null: plain insert. */
  ignoreConflictsOn: readonly string[] | null;
  /** Columns to return for the rows this statement actually inserted. */
  returning: readonly string[];
}

/**
 * Multi-row insert-or-ignore that reports exactly the rows it inserted (`returning`: SQLite ≥ 3.35
 * and PostgreSQL return only inserted rows under `on conflict do nothing`). Rows are inserted in
 * the given order, so auto-increment keys grow in that order. Dates are stored the way MikroORM
 * stores them for the dialect, so entities read these rows back unchanged.
 *
 * DIALECT BRANCH for `insert … on conflict do nothing returning` (the one place every bulk write
 * goes through): SQLite takes the one-parameter path below; PostgreSQL takes the portable path,
 * where binding is cheap, in batches sized to its 65,535-parameter limit.
 */
export async function bulkInsert(trx: Knex.Transaction, insert: BulkInsert): Promise<Record<string, unknown>[]> {
  const sqlite = dialectOf(trx) === 'sqlite';
  // SQLite path: one parameter per batch, so only memory bounds it. PostgreSQL: as many rows as its
  // parameter limit allows, at most 2,000.
  const size = sqlite ? 2000 : Math.max(1, Math.min(2000, Math.floor(PG_MAX_PARAMETERS / Math.max(1, insert.columns.length))));
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < insert.rows.length; i += size) {
    const batch = { ...insert, rows: insert.rows.slice(i, i + size) };
    out.push(...(await (sqlite ? insertSqlite(trx, batch) : insertPortable(trx, batch))));
  }
  return out;
}

/** PostgreSQL's bind-parameter limit per statement (the wire protocol counts them in 16 bits). */
const PG_MAX_PARAMETERS = 65_535;

/** Any dialect: knex's multi-row insert, one bound parameter per value. At most 500 rows on SQLite. */
export async function insertPortable(trx: Knex.Transaction, insert: BulkInsert): Promise<Record<string, unknown>[]> {
  const json = insert.columns.map((column) => insert.jsonColumns.includes(column));
  const records = insert.rows.map((row) => Object.fromEntries(insert.columns.map((column, i) => [column, json[i] ? JSON.stringify(row[i]) : row[i]])));
  const query = trx(insert.table).insert(records);
  if (insert.ignoreConflictsOn) query.onConflict([...insert.ignoreConflictsOn]).ignore();
  return query.returning([...insert.returning]);
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
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const json = JSON.stringify(insert.rows.map((row) => row.map((value) => (value instanceof Date ? value.getTime() : value))));
  const values = insert.columns.map((column, i) => (insert.jsonColumns.includes(column) ? `r.v -> ${i}` : `r.v ->> ${i}`));
  const conflict = insert.ignoreConflictsOn ? ` on conflict (${insert.ignoreConflictsOn.map(quote).join(', ')}) do nothing` : '';
  const sql =
    `with r (i, v) as materialized (select key, value from json_each(?)) ` +
    `insert into ${quote(insert.table)} (${insert.columns.map(quote).join(', ')}) ` +
    `select ${values.join(', ')} from r where true order by r.i${conflict} ` +
    `returning ${insert.returning.map(quote).join(', ')}`;
  const rows: unknown = await trx.raw(sql, [json]);
  return rows as Record<string, unknown>[];
}
