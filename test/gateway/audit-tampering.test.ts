import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntryHash } from '../../src/engine/gateway/audit-hash.ts';
import { createDatabase, type Database } from '../../src/persistence/database.ts';
import { fromAuditColumns, type AuditColumns } from '../../src/persistence/repositories/audit-rows.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { auditFor, createProject, DEVELOPER, FIXTURE_POLICY, submit, verifyChain, type Project } from './gateway-harness.ts';

/**
 * Issue #4 acceptance: "tampering with one stored audit row is detected with the position of the
 * first break". The app runs on a SQLite file with an audit key (GATEHOUSE_AUDIT_KEY); a second
 * connection to the same file plays someone with database write access but without the key.
 */
describe('tampering with the stored audit log', () => {
  let t: TestApp;
  let project: Project;
  let dbDir: string;
  let side: Database;
  let target: number;
  let original: AuditColumns;
  const table = () => side.fork().getKnex()('audit_events');

  beforeAll(async () => {
    project = await createProject();
    dbDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-tamper-'));
    const databaseUrl = `sqlite:${path.join(dbDir, 'g.db')}`;
    t = await startTestApp({ projectRoot: project.root, policyDir: FIXTURE_POLICY, databaseUrl, auditKey: 'tamper-test-key' });
    const token = await t.tokenFor('agent');
    const write = (p: string) => submit(t, token, { ...DEVELOPER, specId: 'SPEC-DOCS', action: 'write_file', params: { path: p, content: 'x\n' } });
    await write('docs/first.md');
    const denied = await write('../escape.txt');
    await write('docs/after.md');
    // The entry that records the escape's denial, in the middle of the chain.
    target = (await auditFor(t, denied.requestId)).find((e) => e.kind === 'DECISION')!.seq;
    side = await createDatabase({ url: databaseUrl, dataDir: dbDir });
    original = (await table().where('seq', target).first()) as AuditColumns;
  });
  afterAll(async () => {
    await side?.close();
    await t?.stop();
    await project?.cleanup();
    await rm(dbDir, { recursive: true, force: true });
  });

  const restore = async () => {
    await table().where('seq', target).delete();
    await table().insert(original);
    expect(await verifyChain(t)).toMatchObject({ ok: true, firstBrokenAt: null });
  };

  it('verifies before anyone touches it', async () => {
    const chain = await verifyChain(t);
    expect(chain).toEqual({ ok: true, checked: chain.checked, firstBrokenAt: null, reason: null });
    expect(chain.checked).toBeGreaterThan(target);
  });

  it("names the edited row's seq when a denial is rewritten as an approval", async () => {
    const details = { ...JSON.parse(String(original.details)), reason: null };
    await table().where('seq', target).update({ decision: 'APPROVED', reason_code: null, details: JSON.stringify(details) });
    expect(await verifyChain(t)).toEqual({ ok: false, checked: target - 1, firstBrokenAt: target, reason: 'hash mismatch' });
    await restore();
  });

  it('detects an edit of details alone', async () => {
    await table().where('seq', target).update({ details: JSON.stringify({ tampered: true }) });
    expect(await verifyChain(t)).toMatchObject({ ok: false, firstBrokenAt: target, reason: 'hash mismatch' });
    await restore();
  });

  it('still detects the edit when the row is re-hashed without the key', async () => {
    const edited = { ...original, details: JSON.stringify({ tampered: true }) };
    const rehashed = auditEntryHash(fromAuditColumns(edited), String(original.prev_hash), null);
    await table().where('seq', target).update({ details: edited.details, hash: rehashed });
    // Re-hashing also breaks the next row's link; the first break is still the edited row.
    expect(await verifyChain(t)).toMatchObject({ ok: false, firstBrokenAt: target, reason: 'hash mismatch' });
    await restore();
  });

  it('reports a removed row as a gap at its seq', async () => {
    await table().where('seq', target).delete();
    expect(await verifyChain(t)).toEqual({ ok: false, checked: target - 1, firstBrokenAt: target, reason: 'seq gap' });
    await table().insert(original);
    expect(await verifyChain(t)).toMatchObject({ ok: true });
  });
});
