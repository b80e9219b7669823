import type { Knex } from '@mikro-orm/knex';

/** The part of node-sqlite3's `Statement` this module uses. */
interface RawStatement {
  run(params: unknown[], callback: (err: Error | null) => void): void;
  all(params: unknown[], callback: (err: Error | null, rows: unknown[]) => void): void;
}

/** The part of node-sqlite3's `Database` (the pool's connection) this module uses. */
interface RawConnection {
  prepare(sql: string): RawStatement;
  exec(sql: string, callback: (err: Error | null) => void): void;
}

interface PoolClient {
  acquireConnection(): Promise<RawConnection>;
  releaseConnection(connection: RawConnection): Promise<void>;
}

/** Statements stay prepared per connection; SQLite re-prepares them itself after a schema change. */
const prepared = new WeakMap<RawConnection, Map<string, RawStatement>>();

function statementOf(connection: RawConnection, sql: string): RawStatement {
  let cache = prepared.get(connection);
  if (!cache) prepared.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = connection.prepare(sql)));
  return statement;
}

/** Statements on one held connection, in order. */
export interface SqliteSession {
  /** A statement without result rows; `sql` is prepared once per connection and reused. */
  run(sql: string, params?: readonly unknown[]): Promise<void>;
  /** A statement's rows (a SELECT, or an INSERT … RETURNING). */
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * Several statements without parameters or results in ONE call to the driver (transaction control,
   * or a whole write built with `sqlLiteral`). Stops at the first failing statement.
   */
  exec(sql: string): Promise<void>;
}

/**
 * SQLITE-ONLY: runs `work` on the pool's connection, held for its duration, through node-sqlite3
 * directly. node-sqlite3 runs every statement step (prepare, run, finalize) on libuv's thread pool,
 * and each hand-off between threads is a context switch, which on these virtual machines costs more
 * CPU than the SQL (perf: a third of a serial audit commit's CPU in the kernel's task switch); knex
 * adds about 0.2 ms of CPU per query and 0.5 ms per transaction on top. A hot write path that needs
 * neither knex's builder nor its dialect handling uses this instead, with as few driver calls as it
 * can (`exec` runs a whole transaction in one). Holding the connection is what a knex
 * transaction does too: the SQLite pool has one connection, so nobody else's statement can land
 * inside `work`'s transaction. Values are bound as node-sqlite3 binds them (dates must be passed as
 * the epoch milliseconds MikroORM stores).
 */
export async function withSqliteSession<T>(knex: Knex, work: (session: SqliteSession) => Promise<T>): Promise<T> {
  const client = knex.client as unknown as PoolClient;
  const connection = await client.acquireConnection();
  const session: SqliteSession = {
    run: (sql, params = []) => new Promise((resolve, reject) => statementOf(connection, sql).run([...params], (err) => (err ? reject(err) : resolve()))),
    all: <R>(sql: string, params: readonly unknown[] = []) =>
      new Promise<R[]>((resolve, reject) => statementOf(connection, sql).all([...params], (err, rows) => (err ? reject(err) : resolve(rows as R[])))),
    exec: (sql) => new Promise((resolve, reject) => connection.exec(sql, (err) => (err ? reject(err) : resolve()))),
  };
  try {
    return await work(session);
  } finally {
    await client.releaseConnection(connection);
  }
}

/**
 * SQLITE-ONLY: `work` inside BEGIN IMMEDIATE … COMMIT on a held connection (withSqliteSession).
 * IMMEDIATE takes the write lock at once (waiting up to busy_timeout), so reads inside see a state
 * no other connection can change before the commit. Rolls back and rethrows when `work` throws.
 */
export function sqliteTransaction<T>(knex: Knex, work: (session: SqliteSession) => Promise<T>): Promise<T> {
  return withSqliteSession(knex, async (session) => {
    await session.exec('begin immediate');
    try {
      const result = await work(session);
      await session.exec('commit');
      return result;
    } catch (err) {
      await session.exec('rollback').catch(() => undefined); // nothing to roll back if BEGIN or COMMIT itself failed
      throw err;
    }
  });
}

/**
 * A value as an SQL literal, for `exec` (which binds no parameters): NULL, a finite number, or a
 * string quoted as SQLite reads it — inside '…' only a doubled quote is special (no backslash
 * escapes), so doubling every ' is the whole escaping, and a NUL cannot occur in text that comes from
 * JSON.stringify (it writes control characters as \u escapes). Anything else throws.
 */
export function sqlLiteral(value: string | number | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`sqlLiteral: ${value} is not a finite number`);
    return String(value);
  }
  if (value.includes('\u0000')) throw new RangeError('sqlLiteral: text with a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}
