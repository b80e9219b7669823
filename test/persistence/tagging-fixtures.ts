import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EventRecord } from '../../src/engine/tagging/tag-store.ts';
import type { Tag } from '../../src/engine/tagging/tag.ts';
import { tagId } from '../../src/engine/tagging/tag-id.ts';
import { createDatabase, type Database } from '../../src/persistence/database.ts';
import { createPostgresTestDatabase } from './postgres-test-database.ts';

/**
 * A migrated database: SQLite in memory unless `file` is set (then a temp file, WAL). With
 * GATEHOUSE_TEST_DATABASE_URL set (`npm run test:pg`), a fresh PostgreSQL database instead, except
 * for `file`, which asks for SQLite's file behaviour. Always `close()`.
 */
export async function openTestDatabase(options: { file?: boolean } = {}): Promise<{ db: Database; close(): Promise<void> }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-persistence-'));
  const postgresUrl = options.file ? undefined : process.env.GATEHOUSE_TEST_DATABASE_URL;
  const postgres = postgresUrl ? await createPostgresTestDatabase(postgresUrl) : null;
  const db = await createDatabase({ url: postgres?.url ?? (options.file ? undefined : ':memory:'), dataDir });
  await db.migrate();
  return {
    db,
    async close() {
      await db.close();
      await postgres?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** True when `openTestDatabase()` opens PostgreSQL, for the few tests about SQLite itself. */
export const onPostgres = (): boolean => Boolean(process.env.GATEHOUSE_TEST_DATABASE_URL);

export const T0 = new Date('2024-05-06T07:08:09.123Z');

export function at(offsetMs: number): Date {
  return new Date(T0.getTime() + offsetMs);
}

export function makeEvent(sourceId: string, overrides: Partial<EventRecord> = {}): EventRecord {
  return {
    sourceKind: 'command',
    sourceId,
    occurredAt: T0,
    attackerId: 'attacker-1',
    sessionId: 'session-1',
    host: 'web-01',
    payload: { command_text: `cat /etc/shadow # ${sourceId}` },
    ingestedAt: at(1),
    runId: null,
    ...overrides,
  };
}

export interface TagSpec {
  ruleId?: string;
  ruleVersion?: number;
  tactic?: string;
  techniqueId?: string;
  subTechniqueId?: string | null;
  confidence?: number;
}

/** A tag on `event` with a real UUIDv5 id, so ids collide exactly when the engine's would. */
export function makeTag(event: EventRecord, spec: TagSpec = {}): Tag {
  const identity = {
    sourceKind: event.sourceKind,
    sourceId: event.sourceId,
    ruleId: spec.ruleId ?? 'R1001',
    ruleVersion: spec.ruleVersion ?? 1,
    techniqueId: spec.techniqueId ?? 'T1003',
    subTechniqueId: spec.subTechniqueId === undefined ? 'T1003.008' : spec.subTechniqueId,
  };
  return {
    id: tagId(identity),
    ...identity,
    tactic: spec.tactic ?? 'TA0006',
    confidence: spec.confidence ?? 0.8,
    evidence: { field: 'command_text', match: '/etc/shadow' },
    attackerId: event.attackerId,
    sessionId: event.sessionId,
    occurredAt: event.occurredAt,
  };
}

/** A clock that advances one second per reading, so every commit gets its own createdAt. */
export function steppingClock(start: Date = at(60_000)): () => Date {
  let next = start.getTime();
  return () => {
    const now = new Date(next);
    next += 1000;
    return now;
  };
}
