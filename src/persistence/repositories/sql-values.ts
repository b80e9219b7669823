import type { EntityManager, Knex } from '@mikro-orm/sqlite';

/**
 * Reading values the bulk paths stored (raw knex, no unit of work), in whatever form the dialect
 * returns them: dates are epoch milliseconds on SQLite (as MikroORM stores them there) and Date
 * objects on PostgreSQL; JSON is text on SQLite and already parsed on PostgreSQL.
 */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  if (typeof value === 'string') return new Date(/^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value);
  throw new Error(`expected a stored date, got ${JSON.stringify(value)}`);
}

export function fromJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** The knex of the caller's transaction when there is one, so reads see its uncommitted writes. */
export function knexOf(em: EntityManager): Knex {
  return em.getTransactionContext<Knex.Transaction>() ?? em.getKnex();
}

export function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
