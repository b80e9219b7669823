import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { createDatabase } from '../../src/persistence/database.ts';

/**
 * Where the scale suite finds PostgreSQL (issue 6 §6: trust auth, database `test`). The database in
 * this URL is only used to create and drop the per-run databases; tests never write to it.
 */
export const POSTGRES_ADMIN_URL = process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface PostgresTestDatabase {
  /** The new, empty database's URL (same server and user as the admin URL). */
  url: string;
  name: string;
  /** Drops the database, closing any connection still open to it. */
  drop(): Promise<void>;
}

async function onAdmin(adminUrl: string, sql: string): Promise<void> {
  const admin = await createDatabase({ url: adminUrl, dataDir: tmpdir() });
  try {
    // Outside a transaction: CREATE/DROP DATABASE refuse to run inside one.
    await admin.fork().getConnection().execute(sql);
  } finally {
    await admin.close();
  }
}

/**
 * A fresh database `gh_test_<random>` on the server of `adminUrl`, so every test (or test app) gets
 * its own schema and no run sees another's rows. Always `drop()` it.
 */
export async function createPostgresTestDatabase(adminUrl: string = POSTGRES_ADMIN_URL): Promise<PostgresTestDatabase> {
  const name = `gh_test_${randomBytes(6).toString('hex')}`;
  await onAdmin(adminUrl, `create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => onAdmin(adminUrl, `drop database if exists "${name}" with (force)`),
  };
}
