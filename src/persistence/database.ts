import path from 'node:path';
import { MikroORM, type EntityManager } from '@mikro-orm/sqlite';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities/index.ts';
import { MIGRATIONS } from './migrations/index.ts';

/**
 * The database behind every repository (DESIGN §9). The embedded default is a SQLite file in the
 * data directory, in WAL mode. Migrations are committed code and run at start; the schema is never
 * synchronised from entities.
 */
export interface Database {
  /** A fresh EntityManager: one per request, one per subscription event. */
  fork(): EntityManager;
  migrate(): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
  readonly description: string;
}

export interface DatabaseOptions {
  /** `sqlite:<path>`, `file:<path>`, a bare path, or `:memory:`; undefined means `<dataDir>/gatehouse.db`. */
  url: string | undefined;
  dataDir: string;
}

export function resolveSqlitePath(options: DatabaseOptions): string {
  const url = options.url;
  if (url === undefined) return path.join(options.dataDir, 'gatehouse.db');
  if (url === ':memory:' || url === 'sqlite::memory:') return ':memory:';
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(`DATABASE_URL: PostgreSQL is not supported by this build yet (got ${JSON.stringify(url.replace(/:[^:@/]*@/, ':***@'))})`);
  }
  const stripped = url.replace(/^sqlite:(\/\/)?/, '').replace(/^file:(\/\/)?/, '');
  if (stripped === '') throw new Error(`DATABASE_URL: no database file in ${JSON.stringify(url)}`);
  return path.resolve(options.dataDir, '..', stripped);
}

export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  const file = resolveSqlitePath(options);
  const orm = await MikroORM.init({
    dbName: file,
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, transactional: true, snapshot: false, silent: true },
    allowGlobalContext: false,
    debug: false,
    forceUtcTimezone: true,
    discovery: { warnWhenNoEntities: false },
  });
  const connection = orm.em.getConnection();
  if (file !== ':memory:') {
    await connection.execute('pragma journal_mode = wal');
    await connection.execute('pragma synchronous = normal');
  }
  await connection.execute('pragma busy_timeout = 5000');
  await connection.execute('pragma foreign_keys = on');

  return {
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
