import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { createDatabase } from '../../src/persistence/database.ts';

/** PostgreSQL for the scale benches: trust auth on 127.0.0.1:5432, database `test` used only to create others. */
export const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function onAdmin(sql: string): Promise<void> {
  const admin = await createDatabase({ url: POSTGRES_ADMIN_URL, dataDir: tmpdir() });
  try {
    await admin.fork().getConnection().execute(sql);
  } finally {
    await admin.close();
  }
}

/** A fresh, empty database for one bench run; `drop()` removes it. */
export async function createBenchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gh_bench_${randomBytes(5).toString('hex')}`;
  await onAdmin(`create database "${name}"`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onAdmin(`drop database if exists "${name}" with (force)`) };
}
