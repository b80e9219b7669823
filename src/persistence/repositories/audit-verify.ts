import type { Knex } from '@mikro-orm/knex';
import type { ChainVerification } from '../../engine/gateway/audit.ts';
import { CHAIN_START, verifyEntries, type ChainPosition } from '../../engine/gateway/audit-hash.ts';
import { toVerifiableEntry, type AuditColumns } from './audit-rows.ts';

export const VERIFY_PAGE_SIZE = 1000;

/**
 * Verifies the whole chain from seq 1 to the head as it was when the check started, streaming it in
 * seq order one page at a time, so memory stays bounded however long the chain is. Entries appended
 * while it runs are left for the next check. Stops at the first break (see `verifyEntries` for the
 * reasons and what `firstBrokenAt` names). Throws only when the database cannot be read: a chain
 * that cannot be checked is not reported as broken.
 *
 * The first page has no lower bound, so a row stored below seq 1 is reported as a gap rather than
 * skipped.
 */
export async function verifyAuditChain(knex: () => Knex, key: Buffer | null, pageSize = VERIFY_PAGE_SIZE): Promise<ChainVerification> {
  const [top] = await knex()('audit_events').max({ seq: 'seq' });
  const headSeq = top?.seq === null || top?.seq === undefined ? 0 : Number(top.seq);
  let prev: ChainPosition = CHAIN_START;
  let checked = 0;
  let first = true;
  while (prev.seq < headSeq) {
    const query = knex()('audit_events').select('*').where('seq', '<=', headSeq);
    if (!first) query.where('seq', '>', prev.seq);
    first = false;
    const rows: AuditColumns[] = await query.orderBy('seq', 'asc').limit(pageSize);
    if (rows.length === 0) break;
    const result = verifyEntries(rows.map(toVerifiableEntry), key, prev);
    checked += result.checked;
    if (!result.ok) return { ok: false, checked, firstBrokenAt: result.firstBrokenAt, reason: result.reason };
    prev = result.last;
  }
  return { ok: true, checked, firstBrokenAt: null, reason: null };
}
