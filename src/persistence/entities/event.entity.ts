import { EntitySchema } from '@mikro-orm/core';

/**
 * Row shape of `events`: every ingested event, stored once per (source kind, source id, run).
 * `key` is the store's own ingest-order position (backfill pages by it). `runId` is '' for live
 * events (see run-key.ts). The table is written in bulk by the tag repository, not through the
 * unit of work; the schema is the contract for reads through MikroORM.
 */
export interface EventRow {
  key: number;
  sourceKind: string;
  sourceId: string;
  occurredAt: Date;
  attackerId: string | null;
  sessionId: string | null;
  host: string | null;
  payload: Record<string, unknown>;
  ingestedAt: Date;
  runId: string;
}

export const EventEntity = new EntitySchema<EventRow>({
  name: 'Event',
  tableName: 'events',
  uniques: [{ name: 'events_source_run_unique', properties: ['sourceKind', 'sourceId', 'runId'] }],
  properties: {
    key: { type: 'integer', primary: true, autoincrement: true },
    sourceKind: { type: 'string', length: 64 },
    sourceId: { type: 'string', length: 320 },
    occurredAt: { type: 'datetime' },
    attackerId: { type: 'string', length: 256, nullable: true },
    sessionId: { type: 'string', length: 256, nullable: true },
    host: { type: 'string', length: 256, nullable: true },
    payload: { type: 'json' },
    ingestedAt: { type: 'datetime' },
    runId: { type: 'string', length: 64 },
  },
});
