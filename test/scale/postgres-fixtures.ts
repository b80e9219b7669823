import { tmpdir } from 'node:os';
import type { NewAuditEntry } from '../../src/engine/gateway/audit.ts';
import type { GatewayRequestRecord } from '../../src/engine/gateway/gateway-request.ts';
import type { StoredGovernanceRevision } from '../../src/engine/governance/governance-store.ts';
import type { GovernanceSettings } from '../../src/engine/governance/governance.ts';
import type { RunRecord } from '../../src/engine/runs/run.ts';
import type { RunStepResult } from '../../src/engine/runs/run-step-result.ts';
import { createDatabase, type Database } from '../../src/persistence/database.ts';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../persistence/postgres-test-database.ts';
import { T0, at } from '../persistence/tagging-fixtures.ts';

export { T0, at };

/**
 * A fresh PostgreSQL database, migrated, plus a way to open more `Database` instances on it (each
 * its own MikroORM and pool, as separate Gatehouse processes would have). `close()` closes every
 * instance and drops the database.
 */
export async function openPostgres(): Promise<{ db: Database; another(): Promise<Database>; close(): Promise<void>; fresh: PostgresTestDatabase }> {
  const fresh = await createPostgresTestDatabase();
  const opened: Database[] = [];
  const another = async () => {
    const db = await createDatabase({ url: fresh.url, dataDir: tmpdir() });
    opened.push(db);
    return db;
  };
  try {
    const db = await another();
    await db.migrate();
    return {
      db,
      another,
      fresh,
      async close() {
        await Promise.all(opened.map((d) => d.close()));
        await fresh.drop();
      },
    };
  } catch (err) {
    await Promise.all(opened.map((d) => d.close()));
    await fresh.drop();
    throw err;
  }
}

export function auditEntry(overrides: Partial<NewAuditEntry> = {}): NewAuditEntry {
  return {
    kind: 'decision',
    requestId: 'req_20240506_070809_001',
    agent: 'deployer',
    role: 'developer',
    specId: 'SPEC-7',
    action: 'write_file',
    decision: 'APPROVED',
    reasonCode: null,
    details: { path: 'src/index.ts', bytes: 120 },
    origin: { tokenId: 'tok-1', tokenName: 'deploy bot', transport: 'http' },
    dryRun: false,
    runId: null,
    ...overrides,
  };
}

export function gatewayRequest(requestId: string, overrides: Partial<GatewayRequestRecord> = {}): GatewayRequestRecord {
  return {
    requestId,
    agent: 'deployer',
    role: 'developer',
    specId: 'SPEC-7',
    action: 'write_file',
    params: { path: 'src/index.ts', content: 'x' },
    rationale: null,
    status: 'APPROVED',
    reason: null,
    shadowReason: null,
    execution: 'completed',
    result: { bytes: 1 },
    auditEventId: null,
    auditSeq: null,
    tagIds: [],
    targetPath: 'src/index.ts',
    dryRun: false,
    createdAt: T0,
    decidedAt: at(5),
    expiresAt: null,
    approvalRule: null,
    approval: null,
    tokenId: 'tok-1',
    runId: null,
    ...overrides,
  };
}

const SETTINGS: GovernanceSettings = {
  mode: 'enforce',
  actionMode: 'execute',
  budgets: { maxRequestsPerMinute: 60, maxEventsPerRun: 10_000 },
  confidenceFloor: 0.3,
  blockedTactics: [],
  tagDenyThreshold: 0.9,
  approvalTtlSeconds: 300,
};

export function governanceRevision(revision: number, updatedBy: string): StoredGovernanceRevision {
  return {
    revision,
    settings: { ...SETTINGS, mode: revision % 2 === 0 ? 'enforce' : 'shadow' },
    change: { mode: revision % 2 === 0 ? 'enforce' : 'shadow' },
    overrides: { mode: revision % 2 === 0 ? 'enforce' : 'shadow' },
    updatedAt: at(revision * 1000),
    updatedBy,
    reason: `revision ${revision}`,
  };
}

export function runRecord(runId: string, createdAt: Date, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    runId,
    scenarioId: 'linux-intrusion',
    scenarioName: 'Linux intrusion',
    state: 'QUEUED',
    endReason: null,
    message: null,
    overrides: {},
    params: { speed: 'max', ticksTotal: 2, eventsPerTick: 2, metricsEnabled: true, loggingEnabled: true },
    snapshot: null,
    progress: { progress: 0, ticksCompleted: 0, ticksTotal: 2, eventsCompleted: 0, eventsTotal: 4, eventsPerSecond: 0, etaSeconds: null, virtualTime: null },
    metrics: null,
    components: [],
    createdAt,
    startedAt: null,
    endedAt: null,
    startedBy: 'admin',
    idempotencyKey: null,
    detailRetained: true,
    owner: null,
    ...overrides,
  };
}

export function stepResult(index: number): RunStepResult {
  return {
    index,
    type: 'event',
    at: at(index * 1000),
    sourceKind: 'command',
    sourceId: `s-${index}`,
    requestId: null,
    input: { command_text: `cmd ${index}` },
    tags: [],
    decision: null,
    reasonCode: null,
    expect: null,
    verdict: 'UNLABELLED',
    outcome: 'logged',
    error: null,
  };
}
