import type { GatewayJournal } from '../../engine/gateway/gateway-journal.ts';
import type { RowWrite } from './audit-append.ts';
import type { AuditRepository } from './audit-repository.ts';
import { toRequestRow } from './gateway-request-repository.ts';

/**
 * The gateway journal on the audit repository: a step's entries and its `gateway_requests` row go
 * into one audit commit (audit-writer.ts), so they share a transaction, and under load the
 * transaction of other requests' steps too.
 */
export function createGatewayJournal(audit: AuditRepository): GatewayJournal {
  return {
    commit(record, entries, row) {
      const rows: RowWrite[] = row === 'none' ? [] : [{ table: 'gateway_requests', row: toRequestRow(record), replaceOn: row === 'replace' ? 'request_id' : null }];
      return audit.commit(
        entries.map((entry) => ({ ...entry, dryRun: record.dryRun, runId: record.runId })),
        rows,
      );
    },
  };
}
