import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestApp } from '../helpers/test-app.ts';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../persistence/postgres-test-database.ts';

/**
 * Two Gatehouse server processes (the real CLI) on one fresh PostgreSQL database and one Redis key
 * prefix (issue #6 §6). Tokens are made in-process on the same database before the servers start.
 */
const BIN = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url));
export const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Instance {
  name: string;
  origin: string;
  wsUrl: string;
  child: ChildProcess;
  exited: Promise<NodeJS.Signals | null>;
  output(): string;
}

export interface Cluster {
  database: PostgresTestDatabase;
  prefix: string;
  adminToken: string;
  agentToken: string;
  instances: Instance[];
  start(name: string, env?: Record<string, string>): Promise<Instance>;
  gql<T>(instance: Instance, query: string, variables?: Record<string, unknown>, token?: string): Promise<{ data?: T; errors?: { message: string; extensions?: { code?: string } }[] }>;
  stop(): Promise<void>;
}

export async function startCluster(options: { scenariosDir: string; leaseSeconds: number; names: string[] }): Promise<Cluster> {
  const database = await createPostgresTestDatabase();
  const prefix = `gh-test-${randomBytes(4).toString('hex')}:`;
  const dirs: string[] = [];
  const setup = await startTestApp({ databaseUrl: database.url });
  const adminToken = setup.adminToken;
  const { secret: agentToken } = await setup.app.tokens().create({ name: 'cluster agent', role: 'agent', agent: 'cluster-agent', agentRoles: ['developer'] }, null);
  await setup.stop();
  const project = await mkdtemp(path.join(tmpdir(), 'gatehouse-cluster-root-'));
  dirs.push(project);

  const cluster: Cluster = {
    database,
    prefix,
    adminToken,
    agentToken,
    instances: [],
    async start(name, extraEnv = {}) {
      const dataDir = await mkdtemp(path.join(tmpdir(), `gatehouse-cluster-${name}-`));
      dirs.push(dataDir);
      let output = '';
      const child = spawn(process.execPath, [BIN, 'serve'], {
        cwd: dataDir,
        env: {
          ...process.env,
          GATEHOUSE_HOST: '127.0.0.1',
          GATEHOUSE_PORT: '0',
          GATEHOUSE_DATA_DIR: dataDir,
          GATEHOUSE_PROJECT_ROOT: project,
          DATABASE_URL: database.url,
          REDIS_URL,
          GATEHOUSE_REDIS_PREFIX: prefix,
          GATEHOUSE_INSTANCE_ID: name,
          GATEHOUSE_RUN_LEASE_SECONDS: String(options.leaseSeconds),
          GATEHOUSE_SCENARIOS_DIR: options.scenariosDir,
          GATEHOUSE_WATCH_RULES: 'false',
          GATEHOUSE_MAX_REQUESTS_PER_MINUTE: '100000',
          LOG_LEVEL: 'warn',
          ...extraEnv,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      const deadline = Date.now() + 30_000;
      let origin: string | undefined;
      while (!origin) {
        origin = /server on (http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(output)?.[1];
        if (origin) break;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`instance ${name} did not start; output:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const instance = { name, origin, wsUrl: `${origin.replace(/^http/, 'ws')}/graphql`, child, exited, output: () => output };
      cluster.instances.push(instance);
      return instance;
    },
    async gql(instance, query, variables = {}, token = adminToken) {
      const response = await fetch(`${instance.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
      return (await response.json()) as never;
    },
    async stop() {
      for (const i of cluster.instances) {
        if (i.child.exitCode === null && i.child.signalCode === null) {
          i.child.kill('SIGTERM');
          await Promise.race([i.exited, new Promise((r) => setTimeout(r, 10_000))]);
          if (i.child.exitCode === null && i.child.signalCode === null) i.child.kill('SIGKILL');
        }
      }
      await database.drop();
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    },
  };
  for (const name of options.names) await cluster.start(name);
  return cluster;
}

export async function eventuallyTrue(check: () => Promise<boolean>, ms: number, what: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
