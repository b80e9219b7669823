import type { AuditEntry, AuditKind, AuditOrigin } from '../../engine/gateway/audit.ts';
import { fromRunKey, toRunKey } from '../entities/run-key.ts';
import { fromBoolean, fromJson, toDate } from './sql-values.ts';

/**
 * `audit_events` at column level (snake_case; dates and JSON in their stored form, see
 * sql-values.ts) and the conversions to and from the engine's `AuditEntry`. The entity schema in
 * ../entities/audit-event.entity.ts describes the same table for MikroORM.
 */
export const AUDIT_COLUMNS = [
  'seq',
  'id',
  'at',
  'kind',
  'request_id',
  'agent',
  'role',
  'spec_id',
  'action',
  'decision',
  'reason_code',
  'details',
  'origin',
  'dry_run',
  'run_id',
  'prev_hash',
  'hash',
] as const;

/** A row as the driver returns it: every column present, values in their stored form. */
export type AuditColumns = Record<(typeof AUDIT_COLUMNS)[number], unknown>;

export function toAuditColumns(entry: AuditEntry): AuditColumns {
  return {
    seq: entry.seq,
    id: entry.id,
    at: entry.at,
    kind: entry.kind,
    request_id: entry.requestId,
    agent: entry.agent,
    role: entry.role,
    spec_id: entry.specId,
    action: entry.action,
    decision: entry.decision,
    reason_code: entry.reasonCode,
    details: JSON.stringify(entry.details),
    origin: JSON.stringify(entry.origin),
    dry_run: entry.dryRun,
    run_id: toRunKey(entry.runId),
    prev_hash: entry.prevHash,
    hash: entry.hash,
  };
}

/** Throws when a stored value cannot be read back (bad JSON); `verify` reads through `toVerifiableEntry`. */
export function fromAuditColumns(row: AuditColumns): AuditEntry {
  return {
    seq: Number(row.seq),
    id: String(row.id),
    at: toDate(row.at),
    kind: row.kind as AuditKind,
    requestId: row.request_id as string | null,
    agent: row.agent as string | null,
    role: row.role as string | null,
    specId: row.spec_id as string | null,
    action: row.action as string | null,
    decision: row.decision as string | null,
    reasonCode: row.reason_code as string | null,
    details: fromJson<Record<string, unknown>>(row.details),
    origin: fromJson<AuditOrigin>(row.origin),
    // 0/1 or a boolean by dialect (sql-values.ts); anything else is not what was hashed.
    dryRun: fromBoolean(row.dry_run),
    runId: fromRunKey(row.run_id as string | null),
    prevHash: String(row.prev_hash),
    hash: String(row.hash),
  };
}

/** Never equal to a hex digest, so an unreadable row always fails verification as 'hash mismatch'. */
const UNREADABLE_HASH = 'unreadable';

/**
 * For verification: a row that cannot even be decoded (someone wrote invalid JSON into it) must be
 * reported as where the chain breaks, not abort the whole check with a parse error. It keeps its
 * seq and link, so gaps and broken links before it are still reported first.
 */
export function toVerifiableEntry(row: AuditColumns): AuditEntry {
  try {
    return fromAuditColumns(row);
  } catch {
    return {
      seq: Number(row.seq),
      id: String(row.id),
      at: new Date(0),
      kind: 'decision',
      requestId: null,
      agent: null,
      role: null,
      specId: null,
      action: null,
      decision: null,
      reasonCode: null,
      details: {},
      origin: { tokenId: null, tokenName: null, transport: 'system' },
      dryRun: false,
      runId: null,
      prevHash: String(row.prev_hash),
      hash: UNREADABLE_HASH,
    };
  }
}
