import type { Knex } from '@mikro-orm/knex';

/** The SQL dialects Gatehouse runs on (DESIGN §9): the embedded default and the scale-out database. */
export const DIALECTS = ['sqlite', 'postgresql'] as const;
export type Dialect = (typeof DIALECTS)[number];

/**
 * The dialect behind a knex instance or transaction. Repositories receive only an EntityManager
 * factory, so where a query must differ they ask the connection they were given rather than a
 * flag passed down from the composition root; the answer cannot disagree with the driver.
 */
export function dialectOf(knex: Knex): Dialect {
  const name = (knex.client as { dialect?: unknown }).dialect;
  if (name === 'postgresql') return 'postgresql';
  if (name === 'sqlite3' || name === 'sqlite') return 'sqlite';
  throw new Error(`unsupported SQL dialect ${JSON.stringify(name)}: Gatehouse runs on SQLite and PostgreSQL`);
}

/** `postgres://…` and `postgresql://…` select PostgreSQL; every other DATABASE_URL is SQLite. */
export function isPostgresUrl(url: string | undefined): boolean {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/** The URL with its password replaced by `***`, for logs and `Database.description`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not parseable as a URL: blank anything between the first ':' after '//' and the '@'.
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/**
 * PostgreSQL advisory lock keys (bigint), one per thing Gatehouse serialises across instances. In
 * one table so two uses can never share a key by accident. Any value works as long as it is
 * constant and unique here; these spell "gh" plus a small number.
 */
export const ADVISORY_LOCK = {
  /** Held while migrations run, so instances starting together migrate one after the other. */
  migrations: 0x6768_0001,
  /** Held by an audit append from reading the chain head until its row commits (audit-append.ts). */
  auditChainHead: 0x6768_0002,
} as const;
