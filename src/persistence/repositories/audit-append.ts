import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeadlockException, LockWaitTimeoutException, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager, Knex } from '@mikro-orm/knex';
import type { AuditEntry, NewAuditEntry } from '../../engine/gateway/audit.ts';
import { auditEntryHash, CHAIN_START, type ChainPosition } from '../../engine/gateway/audit-hash.ts';
import { ADVISORY_LOCK, dialectOf } from '../dialect.ts';
import { toRunKey } from '../entities/run-key.ts';
import { toAuditColumns } from './audit-rows.ts';

export interface AppendSettings {
  key: Buffer | null;
  now: () => Date;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  onRetry: (attempt: number, err: unknown) => void;
}

/**
 * Appends one entry after the chain head, or throws (the gateway then denies `audit_unavailable`).
 *
 * Why the chain cannot fork, even with several writers on one database (issue #4, scale-out): the
 * head is read and the new row inserted in ONE transaction, and the row's `seq` (primary key, head
 * + 1) and `prev_hash` (unique) are both taken from that head. Two writers that read the same head
 * insert the same seq and prev_hash; only one can commit, the other gets a unique-constraint
 * violation, rolls back and is retried on the new head (bounded, with jittered backoff).
 *
 * The locked path first takes a lock that serialises appends on the chain head across connections
 * and instances (see `lockChainHead`), so writers queue instead of colliding; the constraints stay
 * the guarantee, the lock only keeps retries rare.
 */
export async function appendAuditEntry(em: () => EntityManager, entry: NewAuditEntry, settings: AppendSettings, knownHead: ChainPosition | null = null): Promise<AuditEntry> {
  const fields = hashable(entry);
  if (knownHead) {
    // Fast path: this instance wrote the current head, so the entry is one autocommitted INSERT. If
    // another writer moved the head meanwhile, seq (primary key) or prev_hash (unique) collides and
    // nothing is written; the locked path below then re-reads the head.
    const stored: AuditEntry = { ...fields, seq: knownHead.seq + 1, id: randomUUID(), at: settings.now(), prevHash: knownHead.hash, hash: '' };
    stored.hash = auditEntryHash(stored, knownHead.hash, settings.key);
    try {
      await em().getKnex()('audit_events').insert(toAuditColumns(stored));
      return stored;
    } catch (err) {
      if (!isWriteConflict(err)) throw err;
      settings.onRetry(0, err);
    }
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await em().transactional(async (tx) => {
        const trx = tx.getTransactionContext<Knex.Transaction>();
        if (!trx) throw new Error('appendAuditEntry: no transaction context inside transactional()');
        await lockChainHead(trx);
        const head = await readHead(trx);
        // Time and id are taken under the lock, so on one database `at` follows `seq` (given a sane clock).
        const stored: AuditEntry = { ...fields, seq: head.seq + 1, id: randomUUID(), at: settings.now(), prevHash: head.hash, hash: '' };
        stored.hash = auditEntryHash(stored, head.hash, settings.key);
        await trx('audit_events').insert(toAuditColumns(stored));
        return stored;
      });
    } catch (err) {
      if (attempt >= settings.maxAttempts || !isWriteConflict(err)) throw err;
      settings.onRetry(attempt, err);
      await sleep(Math.random() * 5 * 2 ** attempt);
    }
  }
}

/**
 * What is hashed is exactly what is stored and read back: `details` and `origin` go through a JSON
 * round trip first, so values JSON changes (a Date becomes its ISO string, a Map `{}`, an
 * `undefined` member disappears, a `toJSON` is applied) are hashed in their stored form and the
 * chain still verifies after a read. Values JSON cannot store (a bigint, a cycle) throw here.
 */
function hashable(entry: NewAuditEntry): NewAuditEntry {
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
 * DIALECT BRANCH (the only one in the audit path): how the append transaction takes the chain head.
 *
 * - SQLite: a write statement as the transaction's first statement takes the database's write lock
 *   (waiting on `busy_timeout`) before the head is read, so the head cannot go stale. It matches no
 *   row and changes nothing. Without it a deferred transaction that read a head another connection
 *   then moved fails with SQLITE_BUSY at once, whatever the timeout.
 * - PostgreSQL: a transaction-scoped advisory lock on one constant key (dialect.ts), taken before the
 *   head is read and released by COMMIT or ROLLBACK, so appends from every connection of every
 *   instance queue on it. `SELECT … FOR UPDATE` on the head row would not do: an empty chain has no
 *   row to lock. The one-INSERT fast path does not take it; a fast insert that races a locked one
 *   collides on seq or prev_hash and is retried here.
 */
async function lockChainHead(trx: Knex.Transaction): Promise<void> {
  if (dialectOf(trx) === 'postgresql') {
    await trx.raw('select pg_advisory_xact_lock(?)', [ADVISORY_LOCK.auditChainHead]);
    // Also a table lock that conflicts with itself and with every INSERT (ROW EXCLUSIVE): the advisory
    // lock alone let two locked appends read the same head in about one run in four under load
    // (test/scale/postgres-persistence.test.ts), and this one also makes fast-path inserts wait.
    await trx.raw('lock table audit_events in share row exclusive mode');
    return;
  }
  await trx('audit_events').whereRaw('1 = 0').update({ seq: trx.ref('seq') });
}

async function readHead(trx: Knex.Transaction): Promise<ChainPosition> {
  const row: unknown = await trx('audit_events').select('seq', 'hash').orderBy('seq', 'desc').first();
  if (row === undefined) return CHAIN_START;
  const { seq, hash } = row as { seq: unknown; hash: unknown };
  return { seq: Number(seq), hash: String(hash) };
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
