import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import type { NewAuditEntry } from '../../src/engine/gateway/audit.ts';
import { toAuditKey } from '../../src/engine/gateway/audit-hash.ts';
import { createDatabase, type Database } from '../../src/persistence/database.ts';
import { createAuditRepository } from '../../src/persistence/repositories/audit-repository.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out: () => out.join(''), err: () => err.join('') };
}

const ENTRY: NewAuditEntry = {
  kind: 'approval_decided',
  requestId: 'req_20240506_070809_001',
  agent: 'deployer',
  role: 'developer',
  specId: 'SPEC-7',
  action: 'write_file',
  decision: 'APPROVED',
  reasonCode: null,
  details: { approver: 'alice' },
  origin: { tokenId: 'tok-1', tokenName: 'ops console', transport: 'http' },
  dryRun: false,
  runId: null,
};

/** Runs `work` on the database the CLI will open (the data directory's gatehouse.db). */
async function onDatabase(dataDir: string, work: (db: Database) => Promise<void>): Promise<void> {
  const db = await createDatabase({ url: undefined, dataDir });
  try {
    await db.migrate();
    await work(db);
  } finally {
    await db.close();
  }
}

async function verify(env: Record<string, string>, ...flags: string[]) {
  const io = capture();
  const { exitCode } = await runCli(['audit', 'verify', ...flags], io.io, env);
  return { exitCode, out: io.out(), err: io.err() };
}

describe('gatehouse audit verify', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-audit-cli-'));
  const env = { GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_AUDIT_KEY: 'cli-test-key', LOG_LEVEL: 'silent' };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reports an empty chain as OK', async () => {
    expect(await verify(env)).toEqual({ exitCode: 0, out: 'audit chain OK: 0 entries\n', err: '' });
  });

  it('verifies a chain written with the configured key and exits 0', async () => {
    await onDatabase(dataDir, async (db) => {
      const audit = createAuditRepository(() => db.fork(), { key: toAuditKey(env.GATEHOUSE_AUDIT_KEY) });
      for (let i = 0; i < 3; i += 1) await audit.append({ ...ENTRY, details: { approver: 'alice', i } });
    });
    expect(await verify(env)).toEqual({ exitCode: 0, out: 'audit chain OK: 3 entries\n', err: '' });
    const json = await verify(env, '--json');
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.out)).toEqual({ ok: true, checked: 3, firstBrokenAt: null, reason: null, keyed: true });
  });

  it('fails at seq 1 without the key and hints at GATEHOUSE_AUDIT_KEY', async () => {
    const result = await verify({ ...env, GATEHOUSE_AUDIT_KEY: '' });
    expect(result.exitCode).toBe(1);
    expect(result.out).toBe('audit chain BROKEN at seq 1: hash mismatch\n');
    expect(result.err).toContain('check GATEHOUSE_AUDIT_KEY (not set here)');
  });

  it('names the seq and reason of an edited row and exits 1', async () => {
    await onDatabase(dataDir, async (db) => {
      await db.fork().getKnex()('audit_events').where('seq', 2).update({ decision: 'DENIED' });
    });
    expect(await verify(env)).toEqual({ exitCode: 1, out: 'audit chain BROKEN at seq 2: hash mismatch\n', err: '' });
    const json = await verify(env, '--json');
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.out)).toEqual({ ok: false, checked: 1, firstBrokenAt: 2, reason: 'hash mismatch', keyed: true });
  });
});
