import type { Knex } from '@mikro-orm/knex';
import { sqlLiteral, withSqliteSession } from '../sqlite-session.ts';
import { sqliteInsertSql, sqliteRowsJson, type BulkInsert } from './bulk-insert.ts';

/**
 * SQLITE-ONLY: several bulk inserts as one transaction in ONE call into the driver (issue #5,
 * benchmarks). Each statement through knex costs the sqlite3 driver several hops between its worker
 * thread and the main thread (prepare, run, finalize), and each hop waits until the main thread is
 * free; a run's batch of five statements took far longer waiting than SQLite took writing it, while
 * the main thread was tagging the next chunk. `exec` (sqlite-session.ts) runs the whole script on the
 * worker in one go.
 *
 * `exec` takes no parameters, so each insert reads its rows from a string literal (`sqlLiteral`)
 * holding the same JSON `insertSqlite` binds. No `returning` (exec returns no rows) and no conflict
 * clause is dropped: the statements are `insertSqlite`'s. A failed statement rolls the whole
 * transaction back.
 */
export async function execSqliteInserts(knex: Knex, inserts: readonly BulkInsert[]): Promise<void> {
  const statements = inserts.filter((i) => i.rows.length > 0).map((i) => sqliteInsertSql({ ...i, returning: [] }, sqlLiteral(sqliteRowsJson(i))));
  if (statements.length === 0) return;
  await withSqliteSession(knex, async (session) => {
    try {
      await session.exec(`begin immediate; ${statements.join('; ')}; commit`);
    } catch (err) {
      // Nothing to roll back when `begin` itself failed; the first error is the one that matters.
      await session.exec('rollback').catch(() => undefined);
      throw err;
    }
  });
}
