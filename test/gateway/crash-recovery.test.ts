import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { compareRequestIds } from '../../src/engine/gateway/request-id.ts';
import { startTestApp } from '../helpers/test-app.ts';
import { agentToken, createProject, FIXTURE_PLUGINS, FIXTURE_POLICY, REQUEST_FIELDS, type Project, type RequestView } from './gateway-harness.ts';
import { gqlAt, until } from '../helpers/child-http.ts';

/**
 * Issue #4 acceptance: "Killing the server between 'approved' and 'completed' leaves a chain that
 * verifies and a request whose state says what happened." The real CLI runs in a child process with
 * the test plugin `stall_forever` (a handler that never settles); it is killed with SIGKILL while the
 * request is `running`, and a new server on the same database must mark it `interrupted`.
 */
const BIN = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url));
const STALL = { agent: 'stall-agent', role: 'developer', spec_id: 'SPEC-TOOLS', action: 'stall_forever', params: {} };

describe('a server killed between approved and completed', () => {
  let project: Project;
  let dir: string;
  let settings: { dataDir: string; databaseUrl: string; projectRoot: string; policyDir: string; pluginDirs: string[]; watchRules: false };
  let adminToken: string;
  let agent: string;
  let child: ChildProcess | undefined;
  let restarted: App | undefined;

  beforeAll(async () => {
    project = await createProject();
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-crash-'));
    settings = { dataDir: dir, databaseUrl: `sqlite:${path.join(dir, 'gatehouse.db')}`, projectRoot: project.root, policyDir: FIXTURE_POLICY, pluginDirs: [FIXTURE_PLUGINS], watchRules: false };
    // Tokens are made in-process on the database file the child will serve.
    const setup = await startTestApp(settings);
    adminToken = setup.adminToken;
    agent = await agentToken(setup, 'stall-agent', ['developer']);
    await setup.stop();
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await restarted?.stop();
    await rm(dir, { recursive: true, force: true });
    await project?.cleanup();
  });

  it('leaves the request APPROVED and interrupted, and a chain that verifies', { timeout: 30_000 }, async () => {
    let output = '';
    child = spawn(process.execPath, [BIN, 'serve'], {
      cwd: dir,
      env: {
        ...process.env,
        GATEHOUSE_HOST: '127.0.0.1',
        GATEHOUSE_PORT: '0',
        GATEHOUSE_DATA_DIR: settings.dataDir,
        DATABASE_URL: settings.databaseUrl,
        GATEHOUSE_PROJECT_ROOT: settings.projectRoot,
        GATEHOUSE_POLICY_DIR: settings.policyDir,
        GATEHOUSE_PLUGIN_DIRS: FIXTURE_PLUGINS,
        GATEHOUSE_WATCH_RULES: 'false',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child?.once('exit', (_code, signal) => resolve(signal)));
    const origin = await until('the child to listen', async () => /server on (http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(output)?.[1] ?? null, 20_000).catch((err: Error) => {
      throw new Error(`${err.message}; child output:\n${output}`);
    });

    // Not awaited: the handler never settles, so neither does this call until the socket dies.
    const inFlight = fetch(`${origin}/request`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}` }, body: JSON.stringify(STALL) }).catch(() => null);
    const running = await until(
      'the request to be running',
      async () => {
        const data = await gqlAt<{ gatewayRequests: { edges: { node: RequestView }[] } }>(origin, adminToken, `{ gatewayRequests(filter: { action: "stall_forever" }) { edges { node { ${REQUEST_FIELDS} } } } }`);
        return data.gatewayRequests.edges.map((e) => e.node).find((r) => r.execution === 'running') ?? null;
      },
      10_000,
    );
    expect(running.status).toBe('APPROVED');

    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(await inFlight).toBeNull();

    restarted = createApp(parseConfig({ port: 0, logLevel: 'silent', readinessIntervalSeconds: 60, ...settings }));
    const { port } = await restarted.start();
    const after = `http://127.0.0.1:${port}`;
    const query = `query($r: String!) {
      gatewayRequest(requestId: $r) { ${REQUEST_FIELDS} }
      auditEvents(filter: { requestId: $r }) { edges { node { kind decision } } }
      verifyAuditChain { ok checked firstBrokenAt reason }
    }`;
    const data = await gqlAt<{ gatewayRequest: RequestView; auditEvents: { edges: { node: { kind: string; decision: string | null } }[] }; verifyAuditChain: { ok: boolean; firstBrokenAt: number | null } }>(after, adminToken, query, { r: running.requestId });
    expect(data.gatewayRequest).toMatchObject({ status: 'APPROVED', execution: 'interrupted', reason: null });
    // The decision was audited before the handler started; no outcome was, because none happened.
    expect(data.auditEvents.edges.map((e) => e.node.kind).reverse()).toEqual(['REQUEST_RECEIVED', 'DECISION']);
    expect(data.verifyAuditChain).toMatchObject({ ok: true, firstBrokenAt: null });

    // Request ids stay unique across the crash: the next one sorts after the interrupted one.
    const next = await fetch(`${after}/request`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}` }, body: JSON.stringify({ ...STALL, spec_id: 'SPEC-NOPE' }) });
    const answer = (await next.json()) as { status: string; request_id: string; reason: { code: string } };
    expect({ http: next.status, status: answer.status, code: answer.reason.code }).toEqual({ http: 403, status: 'denied', code: 'spec_not_found' });
    expect(compareRequestIds(answer.request_id, running.requestId)).toBeGreaterThan(0);
  });
});
