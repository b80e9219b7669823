import type { AuditEntry, NewAuditEntry } from './audit.ts';
import type { GatewayRequestRecord } from './gateway-request.ts';

/** An audit entry about one request; it takes the request's `dryRun` and `runId`. */
export type JournalEntry = Omit<NewAuditEntry, 'dryRun' | 'runId'>;

/** How a step writes the request's row: its first step inserts it, later ones replace it. */
export type JournalRowWrite = 'insert' | 'replace' | 'none';

/**
 * The gateway's durable record (DESIGN §7): audit entries and the request's row committed together,
 * all or nothing, so a row never says more than the chain explains. Implemented in src/persistence/
 * (gateway-journal-repository.ts), group-committed with every other append on the chain.
 */
export interface GatewayJournal {
  /**
   * Appends `entries` in order and writes `record` as it now stands; resolves with the stored entries
   * once committed, rejects when nothing could be stored.
   */
  commit(record: GatewayRequestRecord, entries: readonly JournalEntry[], row: JournalRowWrite): Promise<AuditEntry[]>;
}
