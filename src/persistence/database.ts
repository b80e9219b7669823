import path from 'node:path';
import type { Options } from '@mikro-orm/core';
import type { EntityManager, Knex } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM as PostgresORM } from '@mikro-orm/postgresql';
import { MikroORM as SqliteORM } from '@mikro-orm/sqlite';
import { ADVISORY_LOCK, isPostgresUrl, redactUrl, type Dialect } from './dialect.ts';
import { ENTITIES } from './entities/index.ts';
import { MIGRATIONS } from './migrations/index.ts';

/**
 * The database behind every repository (DESIGN §9). The embedded default is a SQLite file in the
 * data directory, in WAL mode; `DATABASE_URL=postgres://…` selects PostgreSQL (issue 6 §1), on the
 * same entities and the same migrations. Migrations are committed code and run at start; the
 * schema is never synchronised from entities.
 */
export interface Database {
  /** Which SQL dialect this is; repositories that must branch ask their connection (dialect.ts). */
  readonly dialect: Dialect;
  /** A fresh EntityManager: one per request, one per subscription event. */
  fork(): EntityManager;
  migrate(): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** For logs: the dialect and file or URL, never a password. */
  readonly description: string;
}

export interface DatabaseOptions {
  /**
   * `postgres://…` or `postgresql://…` (PostgreSQL); `sqlite:<path>`, `file:<path>`, a bare path, or
   * `:memory:` (SQLite); undefined means `<dataDir>/gatehouse.db`.
   */
  url: string | undefined;
  dataDir: string;
}

export function resolveSqlitePath(options: DatabaseOptions): string {
  const url = options.url;
  if (url === undefined) return path.join(options.dataDir, 'gatehouse.db');
  if (url === ':memory:' || url === 'sqlite::memory:') return ':memory:';
  if (isPostgresUrl(url)) throw new Error(`DATABASE_URL: ${JSON.stringify(redactUrl(url))} is a PostgreSQL URL, not a SQLite file`);
  const stripped = url.replace(/^sqlite:(\/\/)?/, '').replace(/^file:(\/\/)?/, '');
  if (stripped === '') throw new Error(`DATABASE_URL: no database file in ${JSON.stringify(url)}`);
  return path.resolve(options.dataDir, '..', stripped);
}

export function createDatabase(options: DatabaseOptions): Promise<Database> {
  const url = options.url;
  return url !== undefined && isPostgresUrl(url) ? openPostgres(url) : openSqlite(resolveSqlitePath(options));
}

/** What both dialects share: entities, committed migrations, no global context, UTC. */
const COMMON = {
  entities: ENTITIES,
  extensions: [Migrator],
  migrations: { migrationsList: MIGRATIONS, transactional: true, snapshot: false, silent: true },
  allowGlobalContext: false,
  debug: false,
  forceUtcTimezone: true,
  discovery: { warnWhenNoEntities: false },
} satisfies Options;

async function openSqlite(file: string): Promise<Database> {
  const orm = await SqliteORM.init({ ...COMMON, dbName: file });
  // SQLITE-ONLY: pragmas. WAL and relaxed fsync for files; every connection waits on the write lock
  // instead of failing at once (the audit append relies on it, see audit-append.ts).
  const connection = orm.em.getConnection();
  if (file !== ':memory:') {
    await connection.execute('pragma journal_mode = wal');
    await connection.execute('pragma synchronous = normal');
  }
  await connection.execute('pragma busy_timeout = 5000');
  await connection.execute('pragma foreign_keys = on');

  return {
    dialect: 'sqlite',
    description: file === ':memory:' ? 'sqlite (in memory)' : `sqlite ${file}`,
    fork: () => orm.em.fork(),
    async migrate() {
      const done = await orm.getMigrator().up();
      return done.map((m) => m.name);
    },
    async ping() {
      await connection.execute('select 1');
    },
    async close() {
      await orm.close(true);
    },
  };
}

/** pg's type id of `bigint` (INT8): `count(*)` and the epoch-millisecond `bigInteger` columns. */
const PG_INT8 = 20;

/**
 * `pg` returns INT8 as a string, because a bigint may exceed 2^53. Gatehouse's INT8 values are
 * counts and epoch milliseconds, far below that, and SQLite returns them as numbers, so every
 * connection of this pool parses them to numbers once here instead of in each row mapper. A value
 * that would lose precision fails the query rather than coming back rounded.
 */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`bigint ${text} is outside the safe integer range`);
  return value;
}

interface PgClient {
  setTypeParser(oid: number, format: 'text', parse: (text: string) => unknown): void;
}

/**
 * PostgreSQL through `clientUrl` (`?schema=` selects a schema). Text columns order and compare by
 * the database's collation; keyset pages are consistent under any collation, but they match
 * SQLite's binary order only under a C collation (`createdb --locale=C.UTF-8`, as docs/deploy.md
 * should advise).
 */
async function openPostgres(url: string): Promise<Database> {
  const orm = await PostgresORM.init({
    ...COMMON,
    clientUrl: url,
    pool: {
      // Knex's documented hook, run for each new pooled connection before first use. MikroORM gives
      // the pool one type-override table (it keeps dates as strings); this adds INT8 to it.
      afterCreate(client: PgClient, done: (err: Error | null, client: PgClient) => void) {
        client.setTypeParser(PG_INT8, 'text', parseInt8);
        done(null, client);
      },
    },
  });
  const knex = (): Knex => orm.em.getKnex();

  return {
    dialect: 'postgresql',
    description: `postgresql ${redactUrl(url)}`,
    fork: () => orm.em.fork(),
    async migrate() {
      // POSTGRESQL-ONLY: instances that start together migrate one at a time. The lock is held by a
      // transaction on one pooled connection while the migrator works on another, and released
      // when that transaction ends; the next instance then finds every migration applied.
      return knex().transaction(async (trx) => {
        await trx.raw('select pg_advisory_xact_lock(?)', [ADVISORY_LOCK.migrations]);
        const done = await orm.getMigrator().up();
        return done.map((m) => m.name);
      });
    },
    async ping() {
      await orm.em.getConnection().execute('select 1');
    },
    async close() {
      await orm.close(true);
    },
  };
}
