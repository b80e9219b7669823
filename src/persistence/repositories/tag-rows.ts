import type { EventRecord, StoredTag, TaggedEventRecord } from '../../engine/tagging/tag-store.ts';
import type { Tag } from '../../engine/tagging/tag.ts';
import { fromRunKey } from '../entities/run-key.ts';
import { fromJson, toDate } from './sql-values.ts';

/**
 * The tagging tables at column level, as the bulk paths write and read them (snake_case; dates and
 * JSON in their stored form), and the conversions to and from the engine's types. The entity
 * schemas in ../entities describe the same tables for MikroORM. `*_INSERT_COLUMNS` give each
 * table's insert column order, `eventValues`/`tagValues` one row's values in that order (JSON
 * columns as plain values, listed in `*_JSON_COLUMNS`; see bulk-insert.ts).
 */
export const EVENT_INSERT_COLUMNS = ['source_kind', 'source_id', 'occurred_at', 'attacker_id', 'session_id', 'host', 'payload', 'ingested_at', 'run_id'] as const;

export function eventValues(event: EventRecord, runKey: string): unknown[] {
  return [event.sourceKind, event.sourceId, event.occurredAt, event.attackerId, event.sessionId, event.host, event.payload, event.ingestedAt, runKey];
}

export const EVENT_JSON_COLUMNS = ['payload'];

export const TAG_INSERT_COLUMNS = [
  'id',
  'run_id',
  'rule_id',
  'rule_version',
  'tactic',
  'technique_id',
  'sub_technique_id',
  'confidence',
  'evidence',
  'source_kind',
  'source_id',
  'attacker_id',
  'session_id',
  'occurred_at',
  'created_at',
] as const;

export function tagValues(tag: Tag, runKey: string, createdAt: Date): unknown[] {
  return [
    tag.id,
    runKey,
    tag.ruleId,
    tag.ruleVersion,
    tag.tactic,
    tag.techniqueId,
    tag.subTechniqueId,
    tag.confidence,
    tag.evidence,
    tag.sourceKind,
    tag.sourceId,
    tag.attackerId,
    tag.sessionId,
    tag.occurredAt,
    createdAt,
  ];
}

export const TAG_JSON_COLUMNS = ['evidence'];

export const TAGGED_EVENT_INSERT_COLUMNS = ['source_kind', 'source_id', 'attacker_id', 'session_id', 'tag_ids', 'techniques_added', 'created_at', 'run_id'] as const;
export const TAGGED_EVENT_JSON_COLUMNS = ['tag_ids', 'techniques_added'];

/** Rows as the driver returns them: every column present, values in their stored form. */
export type EventColumns = Record<'key' | (typeof EVENT_INSERT_COLUMNS)[number], unknown>;
export type TagColumns = Record<(typeof TAG_INSERT_COLUMNS)[number], unknown>;
export type TaggedEventColumns = Record<'seq' | (typeof TAGGED_EVENT_INSERT_COLUMNS)[number], unknown>;

export function fromEventColumns(row: EventColumns): { key: number; event: EventRecord } {
  return {
    key: Number(row.key),
    event: {
      sourceKind: row.source_kind as string,
      sourceId: row.source_id as string,
      occurredAt: toDate(row.occurred_at),
      attackerId: row.attacker_id as string | null,
      sessionId: row.session_id as string | null,
      host: row.host as string | null,
      payload: fromJson<Record<string, unknown>>(row.payload),
      ingestedAt: toDate(row.ingested_at),
      runId: fromRunKey(row.run_id as string),
    },
  };
}

export function fromTagColumns(row: TagColumns): StoredTag {
  return {
    id: row.id as string,
    ruleId: row.rule_id as string,
    ruleVersion: Number(row.rule_version),
    tactic: row.tactic as string,
    techniqueId: row.technique_id as string,
    subTechniqueId: row.sub_technique_id as string | null,
    confidence: Number(row.confidence),
    evidence: fromJson<Record<string, unknown>>(row.evidence),
    sourceKind: row.source_kind as string,
    sourceId: row.source_id as string,
    attackerId: row.attacker_id as string | null,
    sessionId: row.session_id as string | null,
    occurredAt: toDate(row.occurred_at),
    createdAt: toDate(row.created_at),
    runId: fromRunKey(row.run_id as string),
  };
}

export function fromTaggedEventColumns(row: TaggedEventColumns): TaggedEventRecord {
  return {
    seq: Number(row.seq),
    sourceKind: row.source_kind as string,
    sourceId: row.source_id as string,
    attackerId: row.attacker_id as string | null,
    sessionId: row.session_id as string | null,
    tagIds: fromJson<string[]>(row.tag_ids),
    techniquesAdded: fromJson<string[]>(row.techniques_added),
    createdAt: toDate(row.created_at),
    runId: fromRunKey(row.run_id as string),
  };
}
