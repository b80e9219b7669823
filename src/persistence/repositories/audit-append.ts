import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeadlockException, LockWaitTimeoutException, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager, Knex } from '@mikro-orm/knex';
import type { AuditEntry, NewAuditEntry } from '../../engine/gateway/audit.ts';
import { auditEntryHash, CHAIN_START, type ChainPosition } from '../../engine/gateway/audit-hash.ts';
import { ADVISORY_LOCK, dialectOf } from '../dialect.ts';
import { toRunKey } from '../entities/run-key.ts';
import { AUDIT_COLUMNS, toAuditColumns, type AuditColumns } from './audit-rows.ts';
import { jsonRowsInsertSql, jsonRowsParameter, replaceOnConflict } from './sqlite-json-insert.ts';
import { sqlLiteral, withSqliteSession } from '../sqlite-session.ts';
import { chunks, knexOf } from './sql-values.ts';

export interface AppendSettings {
  key: Buffer | null;
  now: () => Date;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  onRetry: (attempt: number, err: unknown) => void;
}

/**
 * A row another table gets in the same transaction as a unit's audit entries (the gateway's request
 * row, gateway-journal-repository.ts): inserted, or with `replaceOn` (its key column) inserted or
 * replaced. A plain insert that collides fails its unit.
 */
export interface RowWrite {
  table: string;
  row: Record<string, unknown>;
  replaceOn: string | null;
}

/** What one caller commits all-or-nothing: entries appended in order, and rows of other tables. */
export interface AuditUnit {
  entries: readonly NewAuditEntry[];
  rows: readonly RowWrite[];
}

/** Audit rows per INSERT statement: 17 bound values each, far below SQLite's variable limit. */
const AUDIT_ROWS_PER_STATEMENT = 200;

/**
 * Appends one entry after the chain head, or throws (the gateway then denies `audit_unavailable`).
 * The single-unit form of `writeAuditUnits`, which says why the chain cannot fork.
 */
export async function appendAuditEntry(em: () => EntityManager, entry: NewAuditEntry, settings: AppendSettings, knownHead: ChainPosition | null = null): Promise<AuditEntry> {
  const [stored] = await writeAuditUnits(() => knexOf(em()), [{ entries: [hashable(entry)], rows: [] }], settings, knownHead);
  const first = stored?.[0];
  if (!first) throw new Error('appendAuditEntry: the write returned no entry');
  return first;
}

/**
 * Writes several units in ONE transaction (group commit, audit-writer.ts): their entries follow the
 * head in unit order, then their rows. Returns each unit's stored entries. Entries must have been
 * through `hashable` already. All or nothing: if it throws, no unit was written.
 *
 * Why the chain cannot fork, even with several writers on one database (issue #4, scale-out): the
 * head is read and the new rows inserted in ONE transaction, and each row's `seq` (primary key,
 * head + n) and `prev_hash` (unique) are taken from that head. Two writers that read the same head
 * insert the same seq and prev_hash; only one can commit, the other gets a unique-constraint
 * violation, rolls back and is retried on the new head (bounded, with jittered backoff).
 *
 * With `knownHead` (this instance wrote the current head) the head is not read: if another writer
 * moved it meanwhile, seq or prev_hash collides, nothing is written, and the locked path re-reads
 * it. The locked path first takes a lock that serialises appends on the chain head across
 * connections and instances (see `lockChainHead`), so writers queue instead of colliding; the
 * constraints stay the guarantee, the lock only keeps retries rare.
 */
export async function writeAuditUnits(knex: () => Knex, units: readonly AuditUnit[], settings: AppendSettings, knownHead: ChainPosition | null): Promise<AuditEntry[][]> {
  if (knownHead) {
    try {
      return await writeAfter(knex(), knownHead, units, settings);
    } catch (err) {
      if (!isChainConflict(err)) throw err;
      settings.onRetry(0, err);
    }
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await writeAfter(knex(), null, units, settings);
    } catch (err) {
      if (attempt >= settings.maxAttempts || !isChainConflict(err)) throw err;
      settings.onRetry(attempt, err);
      await sleep(Math.random() * 5 * 2 ** attempt);
    }
  }
}

/** One attempt: after `head`, or (null) after the head read under the lock. */
async function writeAfter(knex: Knex, head: ChainPosition | null, units: readonly AuditUnit[], settings: AppendSettings): Promise<AuditEntry[][]> {
  if (dialectOf(knex) === 'sqlite') return writeAfterSqlite(knex, head, units, settings);
  const entryCount = units.reduce((n, unit) => n + unit.entries.length, 0);
  const hasRows = units.some((unit) => unit.rows.length > 0);
  if (head && !hasRows && entryCount > 0 && entryCount <= AUDIT_ROWS_PER_STATEMENT) {
    // One statement is atomic on its own: no BEGIN/COMMIT round trips.
    const chained = chainUnits(head, units, settings);
    await knex('audit_events').insert(chained.rows);
    return chained.stored;
  }
  return knex.transaction(async (trx) => {
    let start = head;
    if (!start) {
      await lockChainHead(trx);
      start = await readHead(trx);
    }
    // Time and ids are taken once the head is known, so on one database `at` follows `seq` (given a sane clock).
    const chained = chainUnits(start, units, settings);
    for (const part of chunks(chained.rows, AUDIT_ROWS_PER_STATEMENT)) await trx('audit_events').insert(part);
    await writeRows(trx, units.flatMap((unit) => unit.rows));
    return chained.stored;
  });
}

/**
 * SQLITE-ONLY: `writeAfter` through node-sqlite3 on the held connection (sqlite-session.ts). The whole
 * transaction — BEGIN IMMEDIATE, one INSERT per table whatever the number of rows
 * (sqlite-json-insert.ts, the rows as one JSON literal), COMMIT — is ONE driver call, because each
 * call costs thread hand-offs that outweigh the SQL. BEGIN IMMEDIATE takes the write lock before
 * anything is read, which is what `lockChainHead` does on PostgreSQL; only the locked path reads the
 * head first, with a statement of its own inside the same transaction. Stores exactly the values the
 * knex path stores (the audit tests read back and verify both).
 */
async function writeAfterSqlite(knex: Knex, head: ChainPosition | null, units: readonly AuditUnit[], settings: AppendSettings): Promise<AuditEntry[][]> {
  // With the head known, the whole transaction is built before the connection is taken: the one
  // connection is held only while the driver runs it, not while the main thread hashes and writes SQL.
  const known = head ? sqliteWrite(head, units, settings, 'begin immediate') : null;
  return withSqliteSession(knex, async (session) => {
    let open = false;
    try {
      let write = known;
      if (!write) {
        await session.exec('begin immediate');
        open = true;
        const [row] = await session.all<{ seq: unknown; hash: unknown }>('select seq, hash from audit_events order by seq desc limit 1');
        write = sqliteWrite(row ? { seq: Number(row.seq), hash: String(row.hash) } : CHAIN_START, units, settings, null);
      }
      open = true;
      await session.exec(write.sql);
      open = false;
      return write.stored;
    } catch (err) {
      if (open) await session.exec('rollback').catch(() => undefined); // nothing to roll back if BEGIN failed
      throw err;
    }
  });
}

/** The units chained after `head` and the SQL that stores them and commits, opened by `begin` unless the transaction is open already. */
function sqliteWrite(head: ChainPosition, units: readonly AuditUnit[], settings: AppendSettings, begin: string | null): { sql: string; stored: AuditEntry[][] } {
  const chained = chainUnits(head, units, settings);
  const statements = begin === null ? [] : [begin];
  if (chained.rows.length > 0) statements.push(jsonRowsInsertSql('audit_events', AUDIT_COLUMNS, sqlLiteral(jsonRowsParameter(chained.rows, AUDIT_COLUMNS))));
  for (const group of groupRows(units.flatMap((unit) => unit.rows))) {
    const columns = Object.keys(group.rows[0] ?? {});
    const conflict = group.replaceOn === null ? '' : replaceOnConflict(group.replaceOn, columns);
    statements.push(jsonRowsInsertSql(group.table, columns, sqlLiteral(jsonRowsParameter(group.rows, columns)), conflict));
  }
  statements.push('commit');
  return { sql: statements.join(';\n'), stored: chained.stored };
}

/** Each unit's entries, chained after `head` in order, and their rows. */
function chainUnits(head: ChainPosition, units: readonly AuditUnit[], settings: AppendSettings) {
  let prev = head;
  const rows: AuditColumns[] = [];
  const stored = units.map((unit) =>
    unit.entries.map((fields) => {
      const entry: AuditEntry = { ...fields, seq: prev.seq + 1, id: randomUUID(), at: settings.now(), prevHash: prev.hash, hash: '' };
      entry.hash = auditEntryHash(entry, prev.hash, settings.key);
      prev = { seq: entry.seq, hash: entry.hash };
      rows.push(toAuditColumns(entry));
      return entry;
    }),
  );
  return { stored, rows };
}

interface RowGroup {
  table: string;
  replaceOn: string | null;
  rows: Record<string, unknown>[];
}

/**
 * Other tables' rows grouped into statements: inserts first, then replacements; a key replaced
 * twice in one batch is written once, with its last value (PostgreSQL refuses to upsert one row
 * twice in a statement, and SQLite would apply both).
 */
function groupRows(rows: readonly RowWrite[]): RowGroup[] {
  const inserts = new Map<string, RowGroup>();
  const replaces = new Map<string, { table: string; replaceOn: string; rows: Map<unknown, Record<string, unknown>> }>();
  for (const write of rows) {
    if (write.replaceOn === null) {
      const group = inserts.get(write.table) ?? { table: write.table, replaceOn: null, rows: [] };
      group.rows.push(write.row);
      inserts.set(write.table, group);
      continue;
    }
    const key = `${write.table}\u0000${write.replaceOn}`;
    const group = replaces.get(key) ?? { table: write.table, replaceOn: write.replaceOn, rows: new Map() };
    group.rows.delete(write.row[write.replaceOn]);
    group.rows.set(write.row[write.replaceOn], write.row);
    replaces.set(key, group);
  }
  return [...inserts.values(), ...[...replaces.values()].map((g) => ({ table: g.table, replaceOn: g.replaceOn, rows: [...g.rows.values()] }))];
}

/** `groupRows` through knex, for PostgreSQL. */
async function writeRows(trx: Knex.Transaction, rows: readonly RowWrite[]): Promise<void> {
  for (const group of groupRows(rows)) {
    for (const part of chunks(group.rows, AUDIT_ROWS_PER_STATEMENT)) {
      const query = trx(group.table).insert(part);
      await (group.replaceOn === null ? query : query.onConflict(group.replaceOn).merge());
    }
  }
}

/**
 * What is hashed is exactly what is stored and read back: `details` and `origin` go through a JSON
 * round trip first, so values JSON changes (a Date becomes its ISO string, a Map `{}`, an
 * `undefined` member disappears, a `toJSON` is applied) are hashed in their stored form and the
 * chain still verifies after a read. Values JSON cannot store (a bigint, a cycle) throw here.
 */
export function hashable(entry: NewAuditEntry): NewAuditEntry {
  toRunKey(entry.runId); // rejects '' before anything is written
  return {
    kind: entry.kind,
    requestId: entry.requestId,
    agent: entry.agent,
    role: entry.role,
    specId: entry.specId,
    action: entry.action,
    decision: entry.decision,
    reasonCode: entry.reasonCode,
    details: jsonRoundTrip(entry.details, 'details') as Record<string, unknown>,
    origin: jsonRoundTrip(entry.origin, 'origin') as NewAuditEntry['origin'],
    dryRun: entry.dryRun,
    runId: entry.runId,
  };
}

function jsonRoundTrip(value: unknown, field: string): unknown {
  const text = JSON.stringify(value);
  const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TypeError(`audit entry: '${field}' must be a JSON object, got ${text ?? String(value)}`);
  }
  return parsed;
}

/**
 * POSTGRESQL: how the knex path's transaction takes the chain head (SQLite takes it with BEGIN
 * IMMEDIATE in `writeAfterSqlite`; that choice, made in `writeAfter`, is the audit path's one
 * dialect branch). A transaction-scoped advisory lock on one constant key (dialect.ts), taken
 * before the head is read and released by COMMIT or ROLLBACK, so appends from every connection of
 * every instance queue on it. `SELECT … FOR UPDATE` on the head row would not do: an empty chain has
 * no row to lock. The known-head path does not take it; a write that races a locked one collides on
 * seq or prev_hash and is retried here.
 */
async function lockChainHead(trx: Knex.Transaction): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(?)', [ADVISORY_LOCK.auditChainHead]);
  // Also a table lock that conflicts with itself and with every INSERT (ROW EXCLUSIVE): the advisory
  // lock alone let two locked appends read the same head in about one run in four under load
  // (test/scale/postgres-persistence.test.ts), and this one also makes known-head inserts wait.
  await trx.raw('lock table audit_events in share row exclusive mode');
}

async function readHead(trx: Knex.Transaction): Promise<ChainPosition> {
  const row: unknown = await trx('audit_events').select('seq', 'hash').orderBy('seq', 'desc').first();
  if (row === undefined) return CHAIN_START;
  const { seq, hash } = row as { seq: unknown; hash: unknown };
  return { seq: Number(seq), hash: String(hash) };
}

/**
 * A lost race for the chain head: a write conflict that is not a unique violation of another table
 * (a unit's own row that already exists, such as a reused request id, fails at once instead of being
 * retried on a head that was never the problem).
 */
export function isChainConflict(err: unknown): boolean {
  if (!isWriteConflict(err)) return false;
  const { code, message, constraint, table } = (err ?? {}) as { code?: unknown; message?: unknown; constraint?: unknown; table?: unknown };
  const text = `${String(message ?? '')} ${String(constraint ?? '')} ${String(table ?? '')}`;
  const unique = code === '23505' || /UNIQUE constraint failed|duplicate key value/i.test(text);
  return !unique || text.includes('audit_events');
}

/** A lost race with another writer: worth retrying on the new head. Anything else is thrown as is. */
export function isWriteConflict(err: unknown): boolean {
  if (err instanceof UniqueConstraintViolationException || err instanceof DeadlockException || err instanceof LockWaitTimeoutException) return true;
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (code === 'SQLITE_BUSY') return true;
  if (code === 'SQLITE_CONSTRAINT') return typeof message === 'string' && message.includes('UNIQUE constraint failed');
  // PostgreSQL: unique_violation, serialization_failure, deadlock_detected.
  return code === '23505' || code === '40001' || code === '40P01';
}
