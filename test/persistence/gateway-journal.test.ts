import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayRequestRecord } from '../../src/engine/gateway/gateway-request.ts';
import type { JournalEntry } from '../../src/engine/gateway/gateway-journal.ts';
import type { Database } from '../../src/persistence/database.ts';
import { isChainConflict } from '../../src/persistence/repositories/audit-append.ts';
import { createAuditRepository, type AuditRepository } from '../../src/persistence/repositories/audit-repository.ts';
import { createGatewayJournal } from '../../src/persistence/repositories/gateway-journal-repository.ts';
import { createGatewayRequestRepository } from '../../src/persistence/repositories/gateway-request-repository.ts';
import { at, openTestDatabase } from './tagging-fixtures.ts';

const ORIGIN = { tokenId: 'tok-1', tokenName: 'agent token', transport: 'http' as const };

function record(n: number, overrides: Partial<GatewayRequestRecord> = {}): GatewayRequestRecord {
  return {
    requestId: `req_20240506_070809_${String(n).padStart(3, '0')}`,
    agent: 'deployer',
    role: 'developer',
    specId: 'SPEC-7',
    action: 'read_file',
    params: { path: 'docs/readme.md' },
    rationale: null,
    status: 'APPROVED',
    reason: null,
    shadowReason: null,
    execution: 'running',
    result: null,
    auditEventId: null,
    auditSeq: null,
    tagIds: [],
    targetPath: '/project/docs/readme.md',
    dryRun: false,
    createdAt: at(n * 1000),
    decidedAt: at(n * 1000),
    expiresAt: null,
    approvalRule: null,
    approval: null,
    tokenId: 'tok-1',
    runId: null,
    ...overrides,
  };
}

const entry = (r: GatewayRequestRecord, kind: JournalEntry['kind'], details: Record<string, unknown> = {}): JournalEntry => ({
  kind,
  requestId: r.requestId,
  agent: r.agent,
  role: r.role,
  specId: r.specId,
  action: r.action,
  decision: r.status,
  reasonCode: null,
  details,
  origin: ORIGIN,
});

describe('gateway journal', () => {
  let db: Database;
  let close: () => Promise<void>;
  let audit: AuditRepository;

  beforeEach(async () => {
    ({ db, close } = await openTestDatabase());
    audit = createAuditRepository(() => db.fork(), { key: null });
  });
  afterEach(() => close());

  const requests = () => createGatewayRequestRepository(() => db.fork());

  it('commits a step\'s entries with the request row, then replaces the row with a later step', async () => {
    const journal = createGatewayJournal(audit);
    const r = record(1);
    const [received, decided] = await journal.commit(r, [entry(r, 'request_received'), entry(r, 'decision')], 'insert');
    expect([received?.seq, decided?.seq, decided?.prevHash]).toEqual([1, 2, received?.hash]);
    expect((await requests().get(r.requestId))?.execution).toBe('running');

    await journal.commit({ ...r, execution: 'completed', result: { content: 'x' } }, [entry(r, 'action_completed')], 'replace');
    expect(await requests().get(r.requestId)).toMatchObject({ execution: 'completed', result: { content: 'x' } });
    expect((await audit.list({ requestId: r.requestId }, null, 10)).map((e) => e.kind)).toEqual(['action_completed', 'decision', 'request_received']);
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 3 });
  });

  it('writes nothing of a step whose row cannot be stored, and its neighbours in the same commit still land', async () => {
    const journal = createGatewayJournal(audit);
    const taken = record(1);
    await journal.commit(taken, [entry(taken, 'decision')], 'insert');
    // Concurrent steps share a transaction; the duplicate insert fails that batch, and each step is retried alone.
    const results = await Promise.allSettled([
      journal.commit(record(2), [entry(record(2), 'decision')], 'insert'),
      journal.commit(taken, [entry(taken, 'decision', { again: true })], 'insert'),
      journal.commit(record(3), [entry(record(3), 'decision')], 'insert'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const all = await audit.list({}, null, 10);
    expect(all.map((e) => e.requestId).sort()).toEqual([record(1).requestId, record(2).requestId, record(3).requestId]);
    expect(all.some((e) => (e.details as { again?: boolean }).again)).toBe(false);
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 3 });
  });

  it('retries a lost race for the chain head, not a row of another table that already exists', () => {
    expect(isChainConflict(Object.assign(new Error('SQLITE_CONSTRAINT: UNIQUE constraint failed: audit_events.seq'), { code: 'SQLITE_CONSTRAINT' }))).toBe(true);
    expect(isChainConflict(Object.assign(new Error('duplicate key value violates unique constraint "audit_events_pkey"'), { code: '23505' }))).toBe(true);
    expect(isChainConflict(Object.assign(new Error('SQLITE_BUSY: database is locked'), { code: 'SQLITE_BUSY' }))).toBe(true);
    expect(isChainConflict(Object.assign(new Error('SQLITE_CONSTRAINT: UNIQUE constraint failed: gateway_requests.request_id'), { code: 'SQLITE_CONSTRAINT' }))).toBe(false);
    expect(isChainConflict(Object.assign(new Error('duplicate key value violates unique constraint "gateway_requests_pkey"'), { code: '23505', table: 'gateway_requests' }))).toBe(false);
  });

  it('keeps the chain whole and every row under many concurrent steps', async () => {
    const journal = createGatewayJournal(audit);
    await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const r = record(i + 1);
        await journal.commit(r, [entry(r, 'request_received'), entry(r, 'decision')], 'insert');
        await journal.commit({ ...r, execution: 'completed' }, [entry(r, 'action_completed')], 'replace');
      }),
    );
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 180 });
    expect(await requests().count({})).toBe(60);
    const stored = await requests().list({}, null, 100);
    expect(stored.every((r) => r.execution === 'completed')).toBe(true);
    // Each request's entries are in its own order on the chain.
    for (const r of stored.slice(0, 5)) {
      expect((await audit.list({ requestId: r.requestId }, null, 10)).map((e) => e.kind)).toEqual(['action_completed', 'decision', 'request_received']);
    }
  });

  it('stores text with quotes, SQL and unicode verbatim and the chain still verifies', async () => {
    const journal = createGatewayJournal(audit);
    const nasty = `it's "quoted"; drop table audit_events; -- \u00e9\u{1F600} \\ \n\t end`;
    const r = record(1, { rationale: nasty, params: { path: nasty } });
    await journal.commit(r, [entry(r, 'request_received', { rationale: nasty })], 'insert');
    const [stored] = await audit.list({}, null, 10);
    expect(stored?.details).toEqual({ rationale: nasty });
    expect((await requests().get(r.requestId))?.rationale).toBe(nasty);
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 1 });
  });
});
