import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { createDatabase } from '../../src/persistence/database.ts';
import { createTagRepository } from '../../src/persistence/repositories/tag-repository.ts';
import { copyRules } from '../helpers/tagging.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out: () => out.join(''), err: () => err.join('') };
}

describe('gatehouse backfill', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-backfill-'));
  let env: Record<string, string>;

  beforeAll(async () => {
    env = { GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_RULES_DIR: await copyRules('basic'), LOG_LEVEL: 'silent' };
    // Events stored before any rule matched them (as if ingested before the rules existed).
    const db = await createDatabase({ url: undefined, dataDir });
    await db.migrate();
    const now = new Date();
    const events = ['cat /etc/shadow', 'whoami', 'ls', 'whoami'].map((command_text, i) => ({
      sourceKind: 'command',
      sourceId: `old-${i}`,
      occurredAt: new Date(now.getTime() - 3600_000),
      attackerId: null,
      sessionId: null,
      host: null,
      payload: { command_text },
      ingestedAt: now,
      runId: null,
    }));
    await createTagRepository(() => db.fork()).commit(events, [], null);
    await db.close();
  });

  const run = async (...args: string[]) => {
    const io = capture();
    const result = await runCli(['backfill', ...args, '--json'], io.io, env);
    return { code: result.exitCode, summary: io.out() ? (JSON.parse(io.out()) as Record<string, unknown>) : null, err: io.err() };
  };

  it('counts without writing on a dry run', async () => {
    const dry = await run('--since-days', '1', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.summary).toMatchObject({ dryRun: true, eventsScanned: 4, tagsFound: 3, tagsThatWouldBeAdded: 3 });
  });

  it('re-tags stored events once: a second run adds nothing', async () => {
    expect((await run('--since-days', '1', '--batch-size', '2')).summary).toMatchObject({ eventsScanned: 4, tagsAdded: 3 });
    expect((await run('--since-days', '1')).summary).toMatchObject({ eventsScanned: 4, tagsAdded: 0 });
  });

  it('honours --source-kind and the time window', async () => {
    expect((await run('--since-days', '1', '--source-kind', 'http_request')).summary).toMatchObject({ eventsScanned: 0 });
    expect((await run('--since-days', '0.01')).summary).toMatchObject({ eventsScanned: 0 });
  });

  it('explains bad arguments and exits 2', async () => {
    const bad = await run('--since-days', 'lots');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--since-days must be a positive number, got "lots"');
  });
});
