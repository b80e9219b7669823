import { EntitySchema } from '@mikro-orm/core';

/**
 * Row shape of `tagged_events`: the `ttpTagged` stream, one row per source event that got new
 * tags. `seq` is an auto-increment key, so it only grows and is the subscription's `after:`
 * cursor. `runId` is '' for live records (see run-key.ts).
 */
export interface TaggedEventRow {
  seq: number;
  sourceKind: string;
  sourceId: string;
  attackerId: string | null;
  sessionId: string | null;
  tagIds: string[];
  techniquesAdded: string[];
  createdAt: Date;
  runId: string;
}

export const TaggedEventEntity = new EntitySchema<TaggedEventRow>({
  name: 'TaggedEvent',
  tableName: 'tagged_events',
  properties: {
    seq: { type: 'integer', primary: true, autoincrement: true },
    sourceKind: { type: 'string', length: 64 },
    sourceId: { type: 'string', length: 320 },
    attackerId: { type: 'string', length: 256, nullable: true },
    sessionId: { type: 'string', length: 256, nullable: true },
    tagIds: { type: 'json' },
    techniquesAdded: { type: 'json' },
    createdAt: { type: 'datetime' },
    runId: { type: 'string', length: 64 },
  },
});
