import type { EntityManager, Knex } from '@mikro-orm/knex';

/**
 * Reading values the raw-knex paths stored (no unit of work), in whatever form the dialect returns
 * them. These are the DIALECT BRANCHES for row values, one function each, used by every row mapper:
 *
 * - dates (`toDate`): epoch milliseconds on SQLite (as MikroORM stores them there); on PostgreSQL
 *   `timestamptz` text such as `2024-05-06 07:08:09.123+00` (MikroORM keeps pg from parsing
 *   dates), and the `bigInteger` epoch-millisecond columns as numbers (database.ts parses INT8);
 * - JSON (`fromJson`): `json` columns are text on SQLite and already parsed on PostgreSQL; `text`
 *   columns holding JSON are text on both. Writers always pass `JSON.stringify`'d text, which both
 *   accept for a `json` column (pg would turn a bare JS array into a PostgreSQL array literal);
 * - booleans (`fromBoolean`): 0/1 on SQLite, true/false on PostgreSQL.
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

/** Strict: anything but the two stored forms of true reads as false. */
export function fromBoolean(value: unknown): boolean {
  return value === true || value === 1;
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
