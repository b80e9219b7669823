import type { Knex } from '@mikro-orm/knex';
import { sqliteInsertSql, sqliteRowsJson, type BulkInsert } from './bulk-insert.ts';

/** The sqlite3 driver's connection, as far as this module uses it. */
interface SqliteConnection {
  exec(sql: string, callback: (err: Error | null) => void): void;
}

const exec = (connection: SqliteConnection, sql: string) => new Promise<void>((resolve, reject) => connection.exec(sql, (err) => (err ? reject(err) : resolve())));

/** A SQL string literal: quotes doubled, which is all SQLite's literal syntax escapes. */
const sqlLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * SQLITE-ONLY: several bulk inserts as one transaction in ONE call into the driver (issue #5,
 * benchmarks). Each statement through knex costs the sqlite3 driver several hops between its worker
 * thread and the main thread (prepare, run, finalize), and each hop waits until the main thread is
 * free; a run's batch of five statements took far longer waiting than SQLite took writing it, while
 * the main thread was tagging the next chunk. `exec` runs the whole script on the worker in one go.
 *
 * `exec` takes no parameters, so each insert reads its rows from a string literal holding the same
 * JSON `insertSqlite` binds: JSON text never ends a literal except at a quote, and every quote is
 * doubled. No `returning` (exec returns no rows) and no conflict clause is dropped: the statements
 * are `insertSqlite`'s. A failed statement rolls the whole transaction back.
 */
export async function execSqliteInserts(knex: Knex, inserts: readonly BulkInsert[]): Promise<void> {
  const statements = inserts.filter((i) => i.rows.length > 0).map((i) => sqliteInsertSql({ ...i, returning: [] }, sqlLiteral(sqliteRowsJson(i))));
  if (statements.length === 0) return;
  const client = knex.client as { acquireConnection(): Promise<SqliteConnection>; releaseConnection(connection: SqliteConnection): unknown };
  const connection = await client.acquireConnection();
  try {
    await exec(connection, `begin immediate; ${statements.join('; ')}; commit`);
  } catch (err) {
    // Nothing to roll back when `begin` itself failed; the first error is the one that matters.
    await exec(connection, 'rollback').catch(() => {});
    throw err;
  } finally {
    await client.releaseConnection(connection);
  }
}
