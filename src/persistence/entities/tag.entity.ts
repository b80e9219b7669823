import { EntitySchema } from '@mikro-orm/core';

/**
 * Row shape of `tags`. The id is the tag's UUIDv5 (engine/tagging/tag-id.ts), which does not name
 * the run, so the key is (id, run_id): replaying the same scenario in two runs stores each run's
 * tags separately instead of the second run finding them "already there". `runId` is '' for live
 * tags (see run-key.ts). Written in bulk by the tag repository.
 */
export interface TagRow {
  id: string;
  runId: string;
  ruleId: string;
  ruleVersion: number;
  tactic: string;
  techniqueId: string;
  subTechniqueId: string | null;
  confidence: number;
  evidence: Record<string, unknown>;
  sourceKind: string;
  sourceId: string;
  attackerId: string | null;
  sessionId: string | null;
  occurredAt: Date;
  createdAt: Date;
}

export const TagEntity = new EntitySchema<TagRow>({
  name: 'Tag',
  tableName: 'tags',
  properties: {
    id: { type: 'string', primary: true, length: 36 },
    runId: { type: 'string', primary: true, length: 64 },
    ruleId: { type: 'string', length: 100 },
    ruleVersion: { type: 'integer' },
    tactic: { type: 'string', length: 16 },
    techniqueId: { type: 'string', length: 16 },
    subTechniqueId: { type: 'string', length: 16, nullable: true },
    confidence: { type: 'double', runtimeType: 'number' },
    evidence: { type: 'json' },
    sourceKind: { type: 'string', length: 64 },
    sourceId: { type: 'string', length: 320 },
    attackerId: { type: 'string', length: 256, nullable: true },
    sessionId: { type: 'string', length: 256, nullable: true },
    occurredAt: { type: 'datetime' },
    createdAt: { type: 'datetime' },
  },
});
