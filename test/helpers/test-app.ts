import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../../src/app.ts';
import { parseConfig, type ConfigInput } from '../../src/config.ts';
import type { Role } from '../../src/engine/auth/roles.ts';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../persistence/postgres-test-database.ts';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: { message: string; path?: string[]; extensions: { code: string; details: Record<string, unknown>; [k: string]: unknown } }[]; extensions?: Record<string, unknown> };
}

export interface TestApp {
  app: App;
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  /** ws://127.0.0.1:<port>/graphql */
  wsUrl: string;
  /** Base URL without the path, e.g. http://127.0.0.1:1234 */
  origin: string;
  dataDir: string;
  adminToken: string;
  /** POSTs a GraphQL operation over real HTTP; `token` null sends no Authorization header. */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  /** Creates a token with the given role (agent tokens get agent "test-agent" and role "developer"). */
  tokenFor(role: Role): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts a real Gatehouse on 127.0.0.1, port 0, with a temporary data dir and an in-memory
 * SQLite database (CONVENTIONS "Tests": test the real thing in-process). Always `await stop()`.
 */
export async function startTestApp(overrides: ConfigInput = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-test-'));
  // The one optional hook (issue 6 §6, `npm run test:pg`): with GATEHOUSE_TEST_DATABASE_URL set to a
  // PostgreSQL server, each app gets a fresh database there instead of in-memory SQLite (unless the
  // test names its own database).
  const postgresUrl = overrides.databaseUrl === undefined ? process.env.GATEHOUSE_TEST_DATABASE_URL : undefined;
  const database: PostgresTestDatabase | null = postgresUrl ? await createPostgresTestDatabase(postgresUrl) : null;
  const config = parseConfig({ port: 0, dataDir, databaseUrl: database?.url ?? ':memory:', logLevel: 'silent', readinessIntervalSeconds: 60, ...overrides });
  const app = createApp(config);
  const started = await app.start().catch(async (err: unknown) => {
    await database?.drop();
    throw err;
  });
  if (!started.adminToken) throw new Error('expected a bootstrap admin token on a fresh database');
  const origin = `http://127.0.0.1:${started.port}`;
  const url = `${origin}/graphql`;
  const gql = async <T,>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>> => {
    const bearer = token === undefined ? started.adminToken?.secret : token;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse<T>['body'] };
  };
  return {
    app,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    origin,
    dataDir,
    adminToken: started.adminToken.secret,
    gql,
    async tokenFor(role) {
      const { secret } = await app
        .tokens()
        .create(role === 'agent' ? { name: 'test agent', role, agent: 'test-agent', agentRoles: ['developer'] } : { name: `test ${role}`, role }, null);
      return secret;
    },
    async stop() {
      await app.stop();
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
