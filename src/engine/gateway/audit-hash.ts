import { createHash, createHmac } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';
import type { AuditEntry } from './audit.ts';

/**
 * The audit chain's hash (DESIGN §7, issue #4 §6). Each entry's hash covers every field of the entry
 * and the previous entry's hash, so changing, removing or reordering a stored entry breaks every
 * later link. With `GATEHOUSE_AUDIT_KEY` the hash is an HMAC: someone who can write the database but
 * does not hold the key cannot recompute a consistent chain after editing it. Golden vectors in
 * test/engine/gateway/audit-hash.test.ts pin the exact bytes hashed; changing this file's output
 * breaks every chain already stored.
 */

/** `prevHash` of the first entry (seq 1). */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The HMAC key from configuration (`GATEHOUSE_AUDIT_KEY`): the UTF-8 bytes of the string, or null
 * (plain SHA-256) when none is set. Server and CLI both derive it here so they hash with the same bytes.
 */
export function toAuditKey(secret: string | null | undefined): Buffer | null {
  return secret ? Buffer.from(secret, 'utf8') : null;
}

/** What one entry's hash covers besides `prevHash`: the entry minus its own hash and link. */
export type HashedAuditFields = Omit<AuditEntry, 'hash' | 'prevHash'>;

/**
 * The exact string that is hashed: canonical JSON (sorted keys, no whitespace) of the entry's
 * fields, `at` as an ISO-8601 UTC string with milliseconds. Fields are picked by name, so extra
 * properties on the argument (an `AuditEntry`'s own `hash`) never leak into the input.
 */
export function auditHashInput(entry: HashedAuditFields, prevHash: string): string {
  return canonicalJson({
    seq: entry.seq,
    id: entry.id,
    at: entry.at.toISOString(),
    kind: entry.kind,
    requestId: entry.requestId,
    agent: entry.agent,
    role: entry.role,
    specId: entry.specId,
    action: entry.action,
    decision: entry.decision,
    reasonCode: entry.reasonCode,
    details: entry.details,
    origin: entry.origin,
    dryRun: entry.dryRun,
    runId: entry.runId,
    prevHash,
  });
}

/** Lower-case hex SHA-256 of `auditHashInput`, or HMAC-SHA256 under `key` when one is given. */
export function auditEntryHash(entry: HashedAuditFields, prevHash: string, key: Buffer | null = null): string {
  const input = auditHashInput(entry, prevHash);
  const digest = key ? createHmac('sha256', key) : createHash('sha256');
  return digest.update(input, 'utf8').digest('hex');
}

/** Why a chain does not verify, in the order they are checked for each entry. */
export const CHAIN_BREAKS = ['seq gap', 'broken link', 'hash mismatch'] as const;
export type ChainBreak = (typeof CHAIN_BREAKS)[number];

/** The last verified entry: where the next entry must link to. */
export interface ChainPosition {
  seq: number;
  hash: string;
}

/** Before the first entry. */
export const CHAIN_START: ChainPosition = { seq: 0, hash: GENESIS_HASH };

export type EntriesVerification =
  | { ok: true; checked: number; last: ChainPosition }
  | { ok: false; checked: number; firstBrokenAt: number; reason: ChainBreak };

/**
 * Verifies consecutive entries (in seq order) that follow `expectedPrev`, stopping at the first
 * break. Promises, per entry:
 * - 'seq gap': the entry is not `previous seq + 1` (an entry was removed); `firstBrokenAt` is the
 *   first MISSING seq, which is where the chain stops being intact;
 * - 'broken link': its `prevHash` is not the previous entry's hash;
 * - 'hash mismatch': its stored hash is not the hash of its own fields (it was edited, the key is
 *   wrong, or its fields cannot be hashed at all, e.g. an unreadable date).
 * `checked` counts the entries that verified, so it is the length of the intact run.
 * Pure and incremental: callers stream a long chain page by page, passing each result's `last` on.
 */
export function verifyEntries(entries: Iterable<AuditEntry>, key: Buffer | null, expectedPrev: ChainPosition): EntriesVerification {
  let prev = expectedPrev;
  let checked = 0;
  for (const entry of entries) {
    const broken = (firstBrokenAt: number, reason: ChainBreak): EntriesVerification => ({ ok: false, checked, firstBrokenAt, reason });
    if (entry.seq !== prev.seq + 1) return broken(prev.seq + 1, 'seq gap');
    if (entry.prevHash !== prev.hash) return broken(entry.seq, 'broken link');
    if (entry.hash !== safeHash(entry, key)) return broken(entry.seq, 'hash mismatch');
    prev = { seq: entry.seq, hash: entry.hash };
    checked += 1;
  }
  return { ok: true, checked, last: prev };
}

/** A field that cannot be hashed (Invalid Date, non-finite number) can never match: null. */
function safeHash(entry: AuditEntry, key: Buffer | null): string | null {
  try {
    return auditEntryHash(entry, entry.prevHash, key);
  } catch {
    return null;
  }
}
