import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { announceAndServeUntilTerminated } from './child-protocol.ts';

/**
 * Gatehouse as a deployment would run it (production mode: no GraphiQL, no introspection), on
 * 127.0.0.1 with a port chosen by the OS, a throw-away data dir and an in-memory SQLite database.
 * Logging is silent so the bench measures request handling, not log I/O.
 */
const dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-bench-'));
const app = createApp(
  parseConfig({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    databaseUrl: ':memory:',
    mode: 'production',
    logLevel: 'silent',
    shutdownTimeoutSeconds: 2,
  }),
);
const { port } = await app.start();
announceAndServeUntilTerminated(port, async () => {
  await app.stop();
  await rm(dataDir, { recursive: true, force: true });
});
