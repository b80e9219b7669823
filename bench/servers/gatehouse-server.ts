import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { announceAndServeUntilTerminated } from './child-protocol.ts';

/**
 * Gatehouse as a deployment would run it (production mode: no GraphiQL, no introspection), on
 * 127.0.0.1 with a port chosen by the OS and a throw-away data dir, announcing its port and the
 * bootstrap admin token. Logging is silent so the bench measures request handling, not log I/O.
 *
 * BENCH_GATEHOUSE_DATABASE: `memory` (default) for an in-memory SQLite database, `file` for the
 * deployment default, `<data dir>/gatehouse.db` (WAL), which the ingest benches need so commits pay
 * for real file I/O, or a `postgres://` URL (the scale benches create and drop that database). The
 * data dir, SQLite database included, is deleted on stop. BENCH_GATEHOUSE_REDIS_URL (with
 * BENCH_GATEHOUSE_REDIS_PREFIX and BENCH_GATEHOUSE_INSTANCE) runs it as one instance of a scale-out
 * deployment.
 */
const database = process.env.BENCH_GATEHOUSE_DATABASE ?? 'memory';
const postgres = /^postgres(ql)?:\/\//.test(database);
if (database !== 'memory' && database !== 'file' && !postgres) throw new Error(`BENCH_GATEHOUSE_DATABASE: expected memory, file or a postgres:// URL, got ${JSON.stringify(database)}`);
const redisUrl = process.env.BENCH_GATEHOUSE_REDIS_URL;
const dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-bench-'));
const app = createApp(
  parseConfig({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    ...(database === 'memory' ? { databaseUrl: ':memory:' } : postgres ? { databaseUrl: database } : {}),
    ...(redisUrl ? { redisUrl, redisKeyPrefix: process.env.BENCH_GATEHOUSE_REDIS_PREFIX ?? 'gh-bench:', instanceId: process.env.BENCH_GATEHOUSE_INSTANCE ?? undefined } : {}),
    mode: 'production',
    logLevel: 'silent',
    shutdownTimeoutSeconds: 2,
  }),
);
const { port, adminToken } = await app.start();
announceAndServeUntilTerminated(
  port,
  async () => {
    await app.stop();
    await rm(dataDir, { recursive: true, force: true });
  },
  adminToken ? { adminToken: adminToken.secret } : {},
);
