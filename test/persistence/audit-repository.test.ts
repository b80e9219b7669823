import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry, NewAuditEntry } from '../../src/engine/gateway/audit.ts';
import { GENESIS_HASH } from '../../src/engine/gateway/audit-hash.ts';
import { createDatabase, type Database } from '../../src/persistence/database.ts';
import { Migration0003Audit } from '../../src/persistence/migrations/migration-0003-audit.ts';
import { appendAuditEntry, isWriteConflict } from '../../src/persistence/repositories/audit-append.ts';
import { createAuditRepository, type AuditRepository } from '../../src/persistence/repositories/audit-repository.ts';
import { verifyAuditChain } from '../../src/persistence/repositories/audit-verify.ts';
import { schemaObjects } from './schema-objects.ts';
import { at, onPostgres, openTestDatabase } from './tagging-fixtures.ts';

function newEntry(overrides: Partial<NewAuditEntry> = {}): NewAuditEntry {
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

const KEY = Buffer.from('audit-test-key');

describe('audit repository', () => {
  let db: Database;
  let close: () => Promise<void>;
  let audit: AuditRepository;
  let tick: number;

  beforeEach(async () => {
    ({ db, close } = await openTestDatabase());
    tick = 0;
    audit = createAuditRepository(() => db.fork(), { key: KEY, now: () => at((tick += 1000)) });
  });
  afterEach(() => close());

  const knex = () => db.fork().getKnex();
  const appendMany = async (n: number) => {
    const out: AuditEntry[] = [];
    for (let i = 0; i < n; i += 1) out.push(await audit.append(newEntry({ details: { i } })));
    return out;
  };

  it('appends entries hash-chained from genesis and verifies them', async () => {
    const [first, second, third] = (await appendMany(3)) as [AuditEntry, AuditEntry, AuditEntry];
    expect([first.seq, second.seq, third.seq]).toEqual([1, 2, 3]);
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(second.prevHash).toBe(first.hash);
    expect(third.prevHash).toBe(second.hash);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.at).toEqual(at(1000));
    expect(await audit.verify()).toEqual({ ok: true, checked: 3, firstBrokenAt: null, reason: null });
  });

  it('reads back exactly what it hashed, JSON values in their stored form', async () => {
    const entry = await audit.append(newEntry({ details: { when: new Date(0), gone: undefined, list: [1, 'two', null], nested: { b: 1, a: 2 } } }));
    expect(entry.details).toEqual({ when: '1970-01-01T00:00:00.000Z', list: [1, 'two', null], nested: { b: 1, a: 2 } });
    expect(await audit.list({}, null, 10)).toEqual([entry]);
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 1 });
  });

  it('verifies an empty chain', async () => {
    expect(await audit.verify()).toEqual({ ok: true, checked: 0, firstBrokenAt: null, reason: null });
  });

  it('detects a stored row whose details were edited, at that seq', async () => {
    await appendMany(5);
    await knex()('audit_events').where('seq', 3).update({ details: JSON.stringify({ i: 'edited' }) });
    expect(await audit.verify()).toEqual({ ok: false, checked: 2, firstBrokenAt: 3, reason: 'hash mismatch' });
  });

  it('detects a deleted middle row as a seq gap at the missing seq', async () => {
    await appendMany(5);
    await knex()('audit_events').where('seq', 3).delete();
    expect(await audit.verify()).toEqual({ ok: false, checked: 2, firstBrokenAt: 3, reason: 'seq gap' });
  });

  // SQLite stores JSON as text, so a row can hold what no JSON parser reads; PostgreSQL's json type
  // refuses such a write (the test after this one).
  it.skipIf(onPostgres())('reports a row that cannot be decoded where it is instead of failing the check', async () => {
    await appendMany(3);
    await knex()('audit_events').where('seq', 2).update({ origin: '{not json' });
    expect(await audit.verify()).toEqual({ ok: false, checked: 1, firstBrokenAt: 2, reason: 'hash mismatch' });
  });

  it.runIf(onPostgres())('cannot store a row that would not decode: the json columns refuse invalid JSON', async () => {
    await appendMany(3);
    await expect(knex()('audit_events').where('seq', 2).update({ origin: '{not json' })).rejects.toThrow(/invalid input syntax for type json/);
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 3 });
  });

  it('fails at seq 1 when verified with the wrong HMAC key or none', async () => {
    await appendMany(3);
    const other = (key: Buffer | null) => createAuditRepository(() => db.fork(), { key }).verify();
    expect(await other(Buffer.from('wrong-key'))).toEqual({ ok: false, checked: 0, firstBrokenAt: 1, reason: 'hash mismatch' });
    expect(await other(null)).toMatchObject({ ok: false, firstBrokenAt: 1 });
    expect(await other(KEY)).toMatchObject({ ok: true, checked: 3 });
  });

  it('detects a chain re-hashed without the key after an edit', async () => {
    await appendMany(3);
    // Someone with write access edits seq 2 and recomputes every later hash, but without the key.
    const unkeyed = createAuditRepository(() => db.fork(), { key: null });
    const rows = (await audit.list({}, null, 10)).reverse();
    await knex()('audit_events').delete();
    for (const row of rows) await unkeyed.append(row.seq === 2 ? { ...row, details: { i: 'forged' } } : row);
    expect(await unkeyed.verify()).toMatchObject({ ok: true, checked: 3 });
    expect(await audit.verify()).toMatchObject({ ok: false, firstBrokenAt: 1, reason: 'hash mismatch' });
  });

  it('streams a long chain page by page and still finds a break on a later page', async () => {
    await appendMany(7);
    const read = () => db.fork().getKnex();
    expect(await verifyAuditChain(read, KEY, 2)).toEqual({ ok: true, checked: 7, firstBrokenAt: null, reason: null });
    await knex()('audit_events').where('seq', 6).update({ agent: 'someone-else' });
    expect(await verifyAuditChain(read, KEY, 2)).toEqual({ ok: false, checked: 5, firstBrokenAt: 6, reason: 'hash mismatch' });
  });

  it('refuses a second row at the same seq or after the same head, so a fork cannot be stored', async () => {
    const [first] = (await appendMany(2)) as [AuditEntry];
    const row = await knex()('audit_events').where('seq', 2).first();
    const copy = { ...row, id: 'another-id', hash: 'f'.repeat(64) };
    const sameSeq = await knex()('audit_events').insert({ ...copy, prev_hash: 'e'.repeat(64) }).catch((err: unknown) => err);
    const sameHead = await knex()('audit_events').insert({ ...copy, seq: 3, prev_hash: first.hash }).catch((err: unknown) => err);
    expect(isWriteConflict(sameSeq)).toBe(true);
    expect(isWriteConflict(sameHead)).toBe(true);
    expect(isWriteConflict(new Error('disk I/O error'))).toBe(false);
    expect(await audit.count({})).toBe(2);
  });

  it('retries an append that lost a race on the new head, and gives up after five attempts', async () => {
    await appendMany(1);
    const conflict = Object.assign(new Error('SQLITE_CONSTRAINT: UNIQUE constraint failed: audit_events.seq'), { code: 'SQLITE_CONSTRAINT' });
    const onRetry = vi.fn();
    let calls = 0;
    const flaky = () => {
      calls += 1;
      if (calls === 1) throw conflict; // inside the transaction, where a losing insert would fail
      return at(50_000);
    };
    const settings = { key: KEY, maxAttempts: 5, onRetry };
    const entry = await appendAuditEntry(() => db.fork(), newEntry(), { ...settings, now: flaky });
    expect(entry.seq).toBe(2);
    expect(onRetry).toHaveBeenCalledTimes(1);
    await expect(appendAuditEntry(() => db.fork(), newEntry(), { ...settings, now: () => { throw conflict; } })).rejects.toBe(conflict);
    expect(onRetry).toHaveBeenCalledTimes(5);
    const broken = new Error('disk I/O error');
    await expect(appendAuditEntry(() => db.fork(), newEntry(), { ...settings, now: () => { throw broken; } })).rejects.toBe(broken);
    expect(onRetry).toHaveBeenCalledTimes(5);
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 2 });
  });

  it('throws when the entry cannot be stored, and keeps appending afterwards', async () => {
    await expect(audit.append(newEntry({ runId: '' }))).rejects.toThrow("run id must be null (live) or a non-empty string, got ''");
    await expect(audit.append(newEntry({ details: { big: 1n } }))).rejects.toThrow(TypeError);
    expect((await audit.append(newEntry())).seq).toBe(1);
  });

  it('throws when the database is closed, so the caller can deny audit_unavailable', async () => {
    await appendMany(1);
    await db.close();
    await expect(audit.append(newEntry())).rejects.toThrow();
  });

  it('lists newest first by seq with every filter, live entries unless a run is named', async () => {
    const a = await audit.append(newEntry({ kind: 'request_received', decision: null, requestId: 'req_20240506_070809_001' }));
    const b = await audit.append(newEntry({ requestId: 'req_20240506_070809_001', decision: 'DENIED', reasonCode: 'path_outside_root' }));
    const c = await audit.append(newEntry({ agent: 'builder', role: 'ops', specId: 'SPEC-9', action: 'run_command', requestId: 'req_20240506_070809_002' }));
    const d = await audit.append(newEntry({ runId: 'run-1', requestId: 'req_20240506_070809_003' }));
    const e = await audit.append(newEntry({ kind: 'policy_reloaded', agent: null, role: null, specId: null, action: null, decision: null, requestId: null }));

    const seqs = (entries: AuditEntry[]) => entries.map((x) => x.seq);
    expect(seqs(await audit.list({}, null, 10))).toEqual([e.seq, c.seq, b.seq, a.seq]);
    expect(seqs(await audit.list({ runId: 'run-1' }, null, 10))).toEqual([d.seq]);
    expect(seqs(await audit.list({ agent: 'deployer' }, null, 10))).toEqual([b.seq, a.seq]);
    expect(seqs(await audit.list({ role: 'ops' }, null, 10))).toEqual([c.seq]);
    expect(seqs(await audit.list({ specId: 'SPEC-9' }, null, 10))).toEqual([c.seq]);
    expect(seqs(await audit.list({ action: 'run_command' }, null, 10))).toEqual([c.seq]);
    expect(seqs(await audit.list({ decision: 'DENIED' }, null, 10))).toEqual([b.seq]);
    expect(seqs(await audit.list({ requestId: 'req_20240506_070809_001' }, null, 10))).toEqual([b.seq, a.seq]);
    expect(seqs(await audit.list({ kind: 'policy_reloaded' }, null, 10))).toEqual([e.seq]);
    expect(seqs(await audit.list({ since: b.at, until: e.at }, null, 10))).toEqual([c.seq, b.seq]);
    expect(seqs(await audit.list({ agent: null, kind: null }, null, 10))).toEqual([e.seq, c.seq, b.seq, a.seq]);

    // Pages: up to limit + 1 rows so the caller can tell another page follows; `after` is the last seq seen.
    expect(seqs(await audit.list({}, null, 2))).toEqual([e.seq, c.seq, b.seq]);
    expect(seqs(await audit.list({}, c.seq, 2))).toEqual([b.seq, a.seq]);
    expect(await audit.count({})).toBe(4);
    expect(await audit.count({ agent: 'deployer' })).toBe(2);
    expect(await audit.count({ runId: 'run-1' })).toBe(1);
    expect((await audit.list({ runId: 'run-1' }, null, 1))[0]).toEqual(d);
  });

  it('replays entries after a seq oldest first, every run included', async () => {
    const entries = [await audit.append(newEntry()), await audit.append(newEntry({ runId: 'run-1' })), await audit.append(newEntry())];
    expect(await audit.entriesAfter(1, 10)).toEqual(entries.slice(1));
    expect(await audit.entriesAfter(0, 1)).toEqual(entries.slice(0, 1));
  });

  it('finds the greatest request id by second and counter, not by text', async () => {
    expect(await audit.lastRequestId()).toBeNull();
    for (const requestId of ['req_20240506_070809_999', 'req_20240506_070809_1000', 'req_20240506_070808_5000', null, 'req_99999999_999999_001', 'request-7']) {
      await audit.append(newEntry({ requestId }));
    }
    expect(await audit.lastRequestId()).toBe('req_20240506_070809_1000');
    await audit.append(newEntry({ requestId: 'req_20240506_070810_001' }));
    expect(await audit.lastRequestId()).toBe('req_20240506_070810_001');
  });

  it('creates the table with its unique constraints and indexes, and drops it on down', async () => {
    expect(await schemaObjects(db, 'index', 'audit_events')).toEqual([
      'audit_events_agent_index',
      'audit_events_at_index',
      'audit_events_id_unique',
      'audit_events_kind_index',
      'audit_events_prev_hash_unique',
      'audit_events_request_index',
      'audit_events_run_index',
    ]);
    const em = db.fork();
    const migration = new Migration0003Audit(em.getDriver(), em.config);
    await migration.down();
    for (const sql of migration.getQueries()) await em.getConnection().execute(String(sql));
    expect(await schemaObjects(db, 'table')).not.toContain('audit_events');
  });
});

describe('audit repository shared by two instances', () => {
  it('keeps one chain with no fork under 200 concurrent appends on the same SQLite file', async () => {
    const { db, close } = await openTestDatabase({ file: true });
    const dataDir = db.description.replace(/^sqlite /, '').replace(/\/gatehouse\.db$/, '');
    const other = await createDatabase({ url: undefined, dataDir });
    try {
      const warn = vi.fn();
      const one = createAuditRepository(() => db.fork(), { key: KEY, log: { warn } });
      const two = createAuditRepository(() => other.fork(), { key: KEY, log: { warn } });
      const appended = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? one : two).append(newEntry({ details: { i } }))));

      expect(appended.map((e) => e.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(new Set(appended.map((e) => e.prevHash)).size).toBe(200);
      expect(await one.count({})).toBe(200);
      expect(await two.verify()).toEqual({ ok: true, checked: 200, firstBrokenAt: null, reason: null });
    } finally {
      await other.close();
      await close();
    }
  });
});
