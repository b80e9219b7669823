import { EntitySchema } from '@mikro-orm/core';
import type { AuditKind, AuditOrigin } from '../../engine/gateway/audit.ts';

/**
 * Row shape of `audit_events`, the hash-chained audit log (DESIGN §7). `seq` is the chain position,
 * assigned by the writer as head + 1 and NOT auto-incremented: its primary key, with the unique
 * `prevHash`, is what makes a fork impossible when two writers race (see audit-append.ts). `runId`
 * is '' for live entries (see run-key.ts). Written only by the audit repository, never updated.
 */
export interface AuditEventRow {
  seq: number;
  id: string;
  at: Date;
  kind: AuditKind;
  requestId: string | null;
  agent: string | null;
  role: string | null;
  specId: string | null;
  action: string | null;
  decision: string | null;
  reasonCode: string | null;
  details: Record<string, unknown>;
  origin: AuditOrigin;
  dryRun: boolean;
  runId: string;
  prevHash: string;
  hash: string;
}

export const AuditEventEntity = new EntitySchema<AuditEventRow>({
  name: 'AuditEvent',
  tableName: 'audit_events',
  properties: {
    seq: { type: 'integer', primary: true, autoincrement: false },
    id: { type: 'string', length: 36, unique: true },
    at: { type: 'datetime' },
    kind: { type: 'string', length: 32 },
    requestId: { type: 'string', length: 64, nullable: true },
    agent: { type: 'string', length: 200, nullable: true },
    role: { type: 'string', length: 200, nullable: true },
    specId: { type: 'string', length: 256, nullable: true },
    action: { type: 'string', length: 100, nullable: true },
    decision: { type: 'string', length: 32, nullable: true },
    reasonCode: { type: 'string', length: 100, nullable: true },
    details: { type: 'json' },
    origin: { type: 'json' },
    dryRun: { type: 'boolean' },
    runId: { type: 'string', length: 64 },
    prevHash: { type: 'string', length: 64, unique: true },
    hash: { type: 'string', length: 64 },
  },
});
