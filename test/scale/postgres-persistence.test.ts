import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/engine/gateway/audit.ts';
import type { Database } from '../../src/persistence/database.ts';
import { ADVISORY_LOCK } from '../../src/persistence/dialect.ts';
import { MIGRATIONS } from '../../src/persistence/migrations/index.ts';
import { createApiTokenRepository } from '../../src/persistence/repositories/api-token-repository.ts';
import { appendAuditEntry } from '../../src/persistence/repositories/audit-append.ts';
import { createAuditRepository } from '../../src/persistence/repositories/audit-repository.ts';
import { createGatewayRequestRepository } from '../../src/persistence/repositories/gateway-request-repository.ts';
import { createGovernanceRepository } from '../../src/persistence/repositories/governance-repository.ts';
import { createOperatorSettingsRepository } from '../../src/persistence/repositories/operator-settings-repository.ts';
import { createRuleStateRepository } from '../../src/persistence/repositories/rule-state-repository.ts';
import { createRunRepository } from '../../src/persistence/repositories/run-repository.ts';
import { createTagRepository } from '../../src/persistence/repositories/tag-repository.ts';
import { makeEvent, makeTag, steppingClock } from '../persistence/tagging-fixtures.ts';
import { createPostgresTestDatabase } from '../persistence/postgres-test-database.ts';
import { createDatabase } from '../../src/persistence/database.ts';
import { T0, at, auditEntry, gatewayRequest, governanceRevision, openPostgres, runRecord, stepResult } from './postgres-fixtures.ts';

/**
 * The persistence layer on PostgreSQL (issue 6 §1): the committed migrations, and every repository's
 * basic paths, on a database of its own that is dropped afterwards. The embedded suite covers the
 * behaviour in depth on SQLite and, through `npm run test:pg`, on PostgreSQL.
 */
describe('persistence on PostgreSQL', () => {
  let db: Database;
  let another: () => Promise<Database>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, another, close } = await openPostgres());
  });
  afterAll(() => close());

  describe('database', () => {
    it('runs every migration once and reports the dialect, the password redacted', async () => {
      const rows: { name: string }[] = await db.fork().getConnection().execute('select name from mikro_orm_migrations order by id');
      expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
      expect(await db.migrate()).toEqual([]);
      expect(db.dialect).toBe('postgresql');
      await db.ping();

      const withPassword = await createDatabase({ url: 'postgres://postgres:s3cret@127.0.0.1:5432/test', dataDir: '/tmp' });
      try {
        expect(withPassword.description).toBe('postgresql postgres://postgres:***@127.0.0.1:5432/test');
      } finally {
        await withPassword.close();
      }
    });

    it('migrates a fresh database from two instances at once, each migration applied once', async () => {
      const fresh = await createPostgresTestDatabase();
      const [a, b] = await Promise.all([createDatabase({ url: fresh.url, dataDir: '/tmp' }), createDatabase({ url: fresh.url, dataDir: '/tmp' })]);
      try {
        const [doneA, doneB] = await Promise.all([a.migrate(), b.migrate()]);
        expect([...doneA, ...doneB].sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
        const [row] = await a.fork().getKnex()('mikro_orm_migrations').count({ n: '*' });
        expect(row?.n).toBe(MIGRATIONS.length);
      } finally {
        await Promise.all([a.close(), b.close()]);
        await fresh.drop();
      }
    });

    it('returns bigint columns and counts as numbers', async () => {
      const rows: { n: unknown; big: unknown }[] = await db.fork().getConnection().execute('select count(*) as n, 1700000000123::bigint as big from mikro_orm_migrations');
      expect(rows).toEqual([{ n: MIGRATIONS.length, big: 1700000000123 }]);
    });
  });

  it('stores, finds, pages, revokes and counts API tokens', async () => {
    const tokens = createApiTokenRepository(() => db.fork());
    const base = { role: 'operator' as const, agent: null, agentRoles: ['developer', 'ops'], createdBy: null };
    const first = await tokens.insert({ ...base, id: 'tok-a', name: 'a', hint: 'gh_a', secretHash: 'a'.repeat(64), createdAt: at(1) });
    await tokens.insert({ ...base, id: 'tok-b', name: 'b', hint: 'gh_b', secretHash: 'b'.repeat(64), createdAt: at(2) });
    expect(first).toMatchObject({ id: 'tok-a', agentRoles: ['developer', 'ops'], createdAt: at(1), revokedAt: null });

    expect(await tokens.findBySecretHash('b'.repeat(64))).toMatchObject({ id: 'tok-b', createdAt: at(2) });
    const [newest] = await tokens.list({}, null, 1);
    expect(newest?.id).toBe('tok-b');
    expect((await tokens.list({}, [at(2).toISOString(), 'tok-b'], 10)).map((t) => t.id)).toEqual(['tok-a']);

    await tokens.touchMany(['tok-a', 'tok-b'], at(10));
    expect((await tokens.findById('tok-a'))?.lastUsedAt).toEqual(at(10));
    expect((await tokens.findById('tok-b'))?.lastUsedAt).toEqual(at(10));
    expect((await tokens.revoke('tok-a', at(20)))?.revokedAt).toEqual(at(20));
    expect(await tokens.activeIds(['tok-a', 'tok-b', 'tok-missing'])).toEqual(new Set(['tok-b']));
    expect(await tokens.count({})).toBe(1);
    expect(await tokens.count({ includeRevoked: true })).toBe(2);
    expect((await tokens.countActiveByRole()).operator).toBe(1);
  });

  it('commits tags and events insert-or-ignore: a replayed commit stores and publishes nothing new', async () => {
    const tags = createTagRepository(() => db.fork(), { now: steppingClock() });
    const events = [makeEvent('pg-1'), makeEvent('pg-2'), makeEvent('pg-1')];
    const tagList = events.map((e) => makeTag(e));

    const first = await tags.commit(events, tagList, null);
    expect(first.newEventCount).toBe(2);
    expect(first.newTagIds.size).toBe(2);
    expect(first.tagged.map((t) => t.sourceId)).toEqual(['pg-1', 'pg-2']);
    expect(first.tagged[0]?.techniquesAdded).toEqual(['T1003.008']);

    const again = await tags.commit(events, tagList, null);
    expect(again).toEqual({ newEventCount: 0, newTagIds: new Set(), tagged: [] });

    // The same ids in a run are that run's own rows.
    const inRun = await tags.commit([makeEvent('pg-1', { runId: 'run_pg' })], [makeTag(makeEvent('pg-1'))], 'run_pg');
    expect(inRun.newTagIds.size).toBe(1);

    const since = await tags.taggedSince(0, 10, null);
    expect(since.map((t) => t.sourceId)).toEqual(['pg-1', 'pg-2']);
    expect(since[0]?.seq).toBeLessThan(since[1]?.seq ?? 0);
    const [stored] = await tags.tagsByIds([...first.newTagIds].slice(0, 1));
    expect(stored).toMatchObject({ techniqueId: 'T1003', subTechniqueId: 'T1003.008', evidence: { field: 'command_text' }, occurredAt: T0 });

    const [page1] = await tags.listTags({}, null, 1);
    const rest = await tags.listTags({}, page1 ? [page1.createdAt.toISOString(), page1.id] : null, 10);
    expect(rest).toHaveLength(1);
    expect(await tags.countTags({ techniqueId: 'T1003' })).toBe(2);
    expect(await tags.countTags({ runId: 'run_pg' })).toBe(1);
    expect(await tags.techniqueCounts({})).toEqual([{ techniqueId: 'T1003', subTechniqueId: 'T1003.008', tactic: 'TA0006', count: 2, maxConfidence: 0.8 }]);
    const stream = await tags.eventsSince(new Date(0), 'command', 0, 10);
    expect(stream.map((e) => e.event.sourceId)).toEqual(['pg-1', 'pg-2']);
    expect(stream[0]?.event.payload).toEqual({ command_text: 'cat /etc/shadow # pg-1' });
    expect(await tags.countEvents(null)).toBe(2);
  });

  describe('audit chain', () => {
    it('keeps one chain with no fork under concurrent appends from two Database instances', async () => {
      const second = await another();
      let retries = 0;
      const options = { key: Buffer.from('pg-key'), log: { warn: () => (retries += 1) } };
      const a = createAuditRepository(() => db.fork(), options);
      const b = createAuditRepository(() => second.fork(), options);
      const n = 60;
      const appended = await Promise.all(
        Array.from({ length: n }, (_, i) => [a.append(auditEntry({ details: { from: 'a', i } })), b.append(auditEntry({ details: { from: 'b', i }, dryRun: i % 2 === 0 }))]).flat(),
      );

      const seqs = appended.map((e) => e.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 2 * n }, (_, i) => i + 1));
      expect(new Set(appended.map((e) => e.prevHash)).size).toBe(2 * n);
      expect(await a.verify()).toEqual({ ok: true, checked: 2 * n, firstBrokenAt: null, reason: null });
      expect(await b.verify()).toMatchObject({ ok: true, checked: 2 * n });
      const newest = await b.list({}, null, 2); // limit + 1, as every store's list
      expect(newest.map((e) => e.seq)).toEqual([2 * n, 2 * n - 1, 2 * n - 2]);
      expect(await a.count({ agent: 'deployer' })).toBe(2 * n);
      expect((await a.entriesAfter(2 * n - 1, 10))[0]).toEqual(appended.find((e) => e.seq === 2 * n));
      expect(await a.lastRequestId()).toBe('req_20240506_070809_001');
      // Retries only come from the one-INSERT fast path losing to the other instance.
      expect(retries).toBeLessThanOrEqual(2 * n);
    });

    it('serialises locked appends on the chain head: many connections, no lost race', async () => {
      const second = await another();
      let retries = 0;
      const settings = { key: null, now: () => new Date(), maxAttempts: 1, onRetry: () => (retries += 1) };
      // No known head, so every append takes the locked path; maxAttempts 1 means a lost race would throw.
      const appended: AuditEntry[] = await Promise.all(
        Array.from({ length: 40 }, (_, i) => appendAuditEntry(() => (i % 2 === 0 ? db : second).fork(), auditEntry({ details: { i } }), { ...settings })),
      );
      expect(retries).toBe(0);
      const seqs = appended.map((e) => e.seq).sort((x, y) => x - y);
      expect(new Set(seqs).size).toBe(40);
      expect(seqs[39]! - seqs[0]!).toBe(39);
    });

    it('takes the chain head lock inside the append transaction only', async () => {
      const locks: { n: number }[] = await db
        .fork()
        .getConnection()
        .execute(`select count(*) as n from pg_locks l join pg_database d on d.oid = l.database where d.datname = current_database() and l.locktype = 'advisory' and l.objid = ${ADVISORY_LOCK.auditChainHead}`);
      expect(locks).toEqual([{ n: 0 }]);
    });
  });

  it('stores, updates, pages and counts gateway requests', async () => {
    const requests = createGatewayRequestRepository(() => db.fork());
    await requests.insert(gatewayRequest('req_pg_1', { createdAt: at(1) }));
    await requests.insert(gatewayRequest('req_pg_2', { createdAt: at(2), status: 'PENDING_APPROVAL', execution: 'not_run', expiresAt: at(60_000) }));
    await requests.insert(gatewayRequest('req_pg_3', { createdAt: at(2), execution: 'running' }));
    await requests.update(gatewayRequest('req_pg_1', { createdAt: at(1), status: 'DENIED', approval: { approve: false, by: 'ops', reason: 'no', at: at(9) } }));

    expect(await requests.get('req_pg_1')).toEqual(gatewayRequest('req_pg_1', { createdAt: at(1), status: 'DENIED', approval: { approve: false, by: 'ops', reason: 'no', at: at(9) } }));
    const page = await requests.list({}, null, 1);
    expect(page.map((r) => r.requestId)).toEqual(['req_pg_3', 'req_pg_2']);
    expect((await requests.list({}, [at(2).toISOString(), 'req_pg_2'], 10)).map((r) => r.requestId)).toEqual(['req_pg_1']);
    expect(await requests.count({ since: at(2) })).toBe(2);
    expect((await requests.pending()).map((r) => r.requestId)).toEqual(['req_pg_2']);
    expect((await requests.running()).map((r) => r.requestId)).toEqual(['req_pg_3']);
    expect(await requests.countByStatusSince(new Date(0))).toEqual({ APPROVED: 1, DENIED: 1, PENDING_APPROVAL: 1 });
  });

  it('sets, lists and clears rule states with their history', async () => {
    const states = createRuleStateRepository(() => db.fork(), { now: () => at(50) });
    await states.put({ ruleId: 'R1001', state: 'clipped', confidenceMax: 0.5, expiresAt: at(3_600_000), reason: 'noisy', setBy: 'ops', setAt: at(10) });
    await states.put({ ruleId: 'R1001', state: 'disabled', confidenceMax: null, expiresAt: null, reason: 'very noisy', setBy: 'ops', setAt: at(20) });
    expect(await states.all()).toEqual([{ ruleId: 'R1001', state: 'disabled', confidenceMax: null, expiresAt: null, reason: 'very noisy', setBy: 'ops', setAt: at(20) }]);
    expect(await states.remove('R1001', 'ops', 'fixed')).toBe(true);
    expect(await states.remove('R1001', 'ops', 'again')).toBe(false);
    const history = await states.history('R1001', 10);
    expect(history.map((h) => [h.action, h.state, h.confidenceMax])).toEqual([
      ['clear', 'enabled', null],
      ['set', 'disabled', null],
      ['set', 'clipped', 0.5],
    ]);
    expect(history[2]?.expiresAt).toEqual(at(3_600_000));
  });

  it('lets exactly one of two instances write a governance revision (compare-and-set)', async () => {
    const second = await another();
    const a = createGovernanceRepository(() => db.fork());
    const b = createGovernanceRepository(() => second.fork());
    const results = await Promise.all([a.insert(governanceRevision(1, 'alice')), b.insert(governanceRevision(1, 'bob'))]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await a.insert(governanceRevision(2, 'alice'))).toBe(true);
    expect((await b.latest())?.revision).toBe(2);
    expect((await b.latest())?.updatedAt).toEqual(at(2000));
    expect((await a.list(2, 10)).map((r) => r.revision)).toEqual([1]);
    expect(await a.count()).toBe(2);
  });

  it('stores runs with their steps and logs, leases, retention and purge', async () => {
    const runs = createRunRepository(() => db.fork());
    await runs.insert(runRecord('run_a', at(1), { idempotencyKey: 'k-1' }));
    await runs.insert(runRecord('run_b', at(2)));
    await runs.update(runRecord('run_a', at(1), { idempotencyKey: 'k-1', state: 'COMPLETED', endedAt: at(9) }));

    expect(await runs.get('run_a')).toEqual(runRecord('run_a', at(1), { idempotencyKey: 'k-1', state: 'COMPLETED', endedAt: at(9) }));
    expect((await runs.list({}, 'CREATED_DESC', null, 10)).map((r) => r.runId)).toEqual(['run_b', 'run_a']);
    expect((await runs.list({}, 'CREATED_ASC', [at(1).toISOString(), 'run_a'], 10)).map((r) => r.runId)).toEqual(['run_b']);
    expect(await runs.count({ state: 'QUEUED' })).toBe(1);
    expect(await runs.countByState()).toMatchObject({ QUEUED: 1, COMPLETED: 1, RUNNING: 0 });
    expect((await runs.byIdempotencyKey('k-1', 'admin'))?.runId).toBe('run_a');
    expect((await runs.unfinished()).map((r) => r.runId)).toEqual(['run_b']);

    await runs.renewLeases('instance-a', ['run_b'], at(30_000));
    expect(await runs.expiredLeases(at(10_000), 'instance-b')).toEqual([]);
    expect((await runs.expiredLeases(at(40_000), 'instance-b')).map((r) => r.runId)).toEqual(['run_b']);
    expect(await runs.expiredLeases(at(40_000), 'instance-a')).toEqual([]);

    await runs.appendSteps('run_a', [stepResult(0), stepResult(1), stepResult(2)]);
    expect((await runs.steps('run_a', 0, 10)).map((s) => [s.index, s.at])).toEqual([[1, at(1000)], [2, at(2000)]]);
    await runs.appendLogs([
      { runId: 'run_a', seq: 1, timestamp: at(1), level: 'INFO', eventType: 'run_started', message: 'started', payload: {} },
      { runId: 'run_a', seq: 2, timestamp: at(2), level: 'WARN', eventType: 'step_rejected', message: 'bad step', payload: { index: 3 } },
    ]);
    expect(await runs.logs('run_a', { minLevel: 'WARN' }, 0, 10)).toEqual([
      { runId: 'run_a', seq: 2, timestamp: at(2), level: 'WARN', eventType: 'step_rejected', message: 'bad step', payload: { index: 3 } },
    ]);
    expect(await runs.countLogs('run_a', {})).toBe(2);

    expect(await runs.detailBeyond(0)).toEqual(['run_a']);
    await runs.purgeDetail('run_a');
    expect(await runs.steps('run_a', -1, 10)).toEqual([]);
    expect(await runs.countLogs('run_a', {})).toBe(0);
  });

  it('stores operator settings and scenario overlays, last write wins', async () => {
    const settings = createOperatorSettingsRepository(() => db.fork());
    expect(await settings.get('activeScenario')).toBeNull();
    await settings.put('activeScenario', { id: 'linux-intrusion' });
    await settings.put('activeScenario', { id: 'agent-drift' });
    expect(await settings.get('activeScenario')).toEqual({ id: 'agent-drift' });

    await settings.putOverlay('linux-intrusion', { name: 'Linux (edited)' }, 'ops');
    await settings.putOverlay('linux-intrusion', { tags: ['linux'] }, 'ops');
    expect(await settings.overlays()).toEqual(new Map([['linux-intrusion', { tags: ['linux'] }]]));
    expect(await settings.removeOverlay('linux-intrusion')).toBe(true);
    expect(await settings.removeOverlay('linux-intrusion')).toBe(false);
  });
});
