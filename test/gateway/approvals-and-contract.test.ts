import { access, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { connectWs, record, type WsConnection } from '../server/ws-client.ts';
import { agentHttp, auditFor, createProject, decide, DEVELOPER, submit, waitForSubscribers, type Project } from './gateway-harness.ts';

/**
 * The README walkthrough (issue #4): an approved write, a denied write outside its jurisdiction and a
 * pending approval, with POST /request and the same through GraphQL, on the shipped example policy;
 * then the approval life cycle and the plain HTTP contract. Expiry is in approval-expiry.test.ts.
 */
const ID = /^req_\d{8}_\d{6}_\d{3,}$/;
const exists = (p: string) => access(p).then(() => true, () => false);
const body = (action: string, params: Record<string, unknown>) => ({ agent: 'test-agent', role: 'developer', spec_id: 'SPEC-DOCS', action, params });
const input = (action: string, params: Record<string, unknown>) => ({ ...DEVELOPER, specId: 'SPEC-DOCS', action, params });

describe('the gateway walkthrough', () => {
  let t: TestApp;
  let project: Project;
  let agent: string;
  let operator: string;
  let ws: WsConnection | undefined;
  const file = (p: string) => path.join(project.root, p);

  beforeAll(async () => {
    project = await createProject();
    t = await startTestApp({ projectRoot: project.root });
    agent = await t.tokenFor('agent');
    operator = await t.tokenFor('operator');
  });
  afterAll(async () => {
    await ws?.dispose();
    await t?.stop();
    await project?.cleanup();
  });

  describe.each(['POST /request', 'GraphQL'] as const)('through %s', (transport) => {
    const send = async (action: string, params: Record<string, unknown>) => {
      if (transport === 'GraphQL') {
        const r = await submit(t, agent, input(action, params));
        return { http: null, status: r.status.toLowerCase(), code: r.reason?.code ?? null, result: r.result, expiresAt: r.expiresAt, requestId: r.requestId };
      }
      const { status, json } = await agentHttp(t, '/request', agent, body(action, params));
      const reason = json.reason as { code: string } | null | undefined;
      return { http: status, status: json.status, code: reason?.code ?? null, result: json.result ?? null, expiresAt: (json.expires_at as string | undefined) ?? null, requestId: json.request_id as string };
    };
    const name = transport === 'GraphQL' ? 'graphql' : 'rest';

    it('approves a write inside the jurisdiction, returns the result and writes the file', async () => {
      const r = await send('write_file', { path: `docs/${name}-hello.md`, content: 'hello\n' });
      expect(r).toMatchObject({ http: transport === 'GraphQL' ? null : 200, status: 'approved', code: null, result: { bytesWritten: 6, created: true } });
      expect(r.requestId).toMatch(ID);
      expect(await readFile(file(`docs/${name}-hello.md`), 'utf8')).toBe('hello\n');
    });

    it('denies a write outside the jurisdiction with its reason code and writes nothing', async () => {
      const r = await send('write_file', { path: `${name}-notes.md`, content: 'nope\n' });
      expect(r).toMatchObject({ http: transport === 'GraphQL' ? null : 403, status: 'denied', code: 'path_outside_jurisdiction' });
      expect(await exists(file(`${name}-notes.md`))).toBe(false);
    });

    it('holds a delete for approval with an expiry and deletes nothing yet', async () => {
      const r = await send('delete_file', { path: 'docs/guide.md' });
      expect(r).toMatchObject({ http: transport === 'GraphQL' ? null : 202, status: 'pending_approval', code: null });
      const ttl = Date.parse(r.expiresAt!) - Date.now();
      expect(ttl).toBeGreaterThan(890_000);
      expect(ttl).toBeLessThanOrEqual(900_000);
      expect(await exists(file('docs/guide.md'))).toBe(true);
    });
  });

  describe('approvals', () => {
    it('announces a pending request on approvalRequested and, approved, runs it exactly once', async () => {
      ws = connectWs(t.wsUrl, `Bearer ${t.adminToken}`);
      await ws.connected;
      const announced = record(ws.client, { query: 'subscription { approvalRequested { requestId status approvalRule } }' });
      await waitForSubscribers(t, 1);
      const pending = await submit(t, agent, input('delete_file', { path: 'docs/readme.md' }));
      expect(pending.status).toBe('PENDING_APPROVAL');
      expect(await announced.event(0)).toMatchObject({ kind: 'next', result: { data: { approvalRequested: { requestId: pending.requestId, status: 'PENDING_APPROVAL', approvalRule: 'deletes-need-approval' } } } });

      const approved = await decide(t, operator, pending.requestId, true, 'walkthrough');
      expect(approved.userErrors).toEqual([]);
      expect(approved.request).toMatchObject({ status: 'APPROVED', execution: 'completed', result: { deleted: true } });
      expect(await exists(file('docs/readme.md'))).toBe(false);
      expect((await auditFor(t, pending.requestId)).map((e) => e.kind)).toEqual(['REQUEST_RECEIVED', 'APPROVAL_REQUESTED', 'APPROVAL_DECIDED', 'ACTION_COMPLETED']);

      const again = await decide(t, operator, pending.requestId, true);
      expect(again).toMatchObject({ request: null, userErrors: [{ code: 'BAD_USER_INPUT', field: 'requestId' }] });
      expect((await auditFor(t, pending.requestId)).filter((e) => e.kind === 'ACTION_COMPLETED')).toHaveLength(1);
      announced.unsubscribe();
    });

    it('denies a rejected request approval_rejected and leaves the file alone', async () => {
      const pending = await submit(t, agent, input('delete_file', { path: 'src/main.ts' }));
      const rejected = await decide(t, operator, pending.requestId, false, 'keep it');
      expect(rejected.request).toMatchObject({ status: 'DENIED', execution: 'not_run', reason: { code: 'approval_rejected' } });
      expect(rejected.request?.reason?.message).toContain('keep it');
      expect(await exists(file('src/main.ts'))).toBe(true);
      expect(await auditFor(t, pending.requestId)).toContainEqual(expect.objectContaining({ kind: 'APPROVAL_DECIDED', decision: 'DENIED', reasonCode: 'approval_rejected' }));
    });

    it.each([
      ['doubled slashes', 'write_file', 'docs//releases/1.0.md'],
      ['a detour through src/..', 'write_file', 'src/../docs/releases/1.0.md'],
      ['the create alias', 'create', 'docs/releases/./1.0.md'],
      ['a symlink onto the releases folder', 'write_file', 'docs/rel/1.0.md'],
    ])('matches approval globs on the canonical path: %s still waits for release-notes', async (_name, action, p) => {
      await symlink('releases', file('docs/rel')).catch(() => undefined);
      const r = await submit(t, agent, input(action, { path: p, content: 'notes\n', create_dirs: true }));
      expect(r).toMatchObject({ status: 'PENDING_APPROVAL', action: 'write_file', targetPath: file('docs/releases/1.0.md') });
      expect(await exists(file('docs/releases'))).toBe(false);
    });

    it('lets neither the agent nor a viewer decide an approval', async () => {
      const pending = await submit(t, agent, input('delete_file', { path: 'docs/guide.md' }));
      for (const token of [agent, await t.tokenFor('viewer')]) {
        const res = await t.gql('mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { userErrors { code } } }', { i: { requestId: pending.requestId, approve: true } }, token);
        expect(res.body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
      }
      expect(await exists(file('docs/guide.md'))).toBe(true);
    });
  });

  describe('the plain HTTP contract', () => {
    it('serves GET /status to an agent token', async () => {
      const { status, json } = await agentHttp(t, '/status', agent);
      expect(status).toBe(200);
      expect(json).toEqual({
        service: 'gatehouse-gateway',
        version: expect.any(String),
        mode: 'enforce',
        uptime_seconds: expect.any(Number),
        policy_loaded: true,
        specs_count: 2,
        jurisdictions_count: 2,
        total_requests: expect.any(Number),
        total_denials: expect.any(Number),
      });
      expect(json.total_denials as number).toBeGreaterThan(0);
    });

    it('serves GET /policy to an agent token', async () => {
      const { status, json } = await agentHttp(t, '/policy', agent);
      expect(status).toBe(200);
      expect(json).toEqual({
        specs: {
          'SPEC-DOCS': { title: expect.any(String), status: 'active', roles: ['developer'], action_types: ['read_file', 'write_file', 'patch_file', 'list_dir', 'delete_file'], paths: ['docs/', 'src/'] },
          'SPEC-RELEASE': { title: expect.any(String), status: 'draft', roles: ['developer'], action_types: ['read_file', 'write_file'], paths: ['docs/releases/', 'package.json'] },
        },
        jurisdictions: {
          developer: { paths: ['docs/', 'src/'], action_types: ['read_file', 'write_file', 'patch_file', 'list_dir', 'delete_file'] },
          reviewer: { paths: ['docs/'], action_types: ['read_file', 'list_dir'] },
        },
        last_reload: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
    });

    it('answers malformed JSON with 400 and records no request', async () => {
      const before = (await agentHttp(t, '/status', agent)).json.total_requests;
      const { status, json } = await agentHttp(t, '/request', agent, '{"agent": "test-agent", ');
      expect(status).toBe(400);
      expect(json).toMatchObject({ error: { code: 'BAD_REQUEST', details: { reason: 'malformed_json' } } });
      expect((await agentHttp(t, '/status', agent)).json.total_requests).toBe(before);
    });

    it('answers a request of the wrong shape with 400 malformed', async () => {
      const { status, json } = await agentHttp(t, '/request', agent, { ...body('write_file', {}), agent: 'Not An Agent' });
      expect(status).toBe(400);
      expect(json).toMatchObject({ status: 'malformed', error: { code: 'BAD_USER_INPUT', details: { field: 'agent' } } });
    });

    it('answers 401 without a token, on every route', async () => {
      for (const [route, payload] of [['/request', body('read_file', { path: 'docs/guide.md' })], ['/status', undefined], ['/policy', undefined]] as const) {
        const { status, json } = await agentHttp(t, route, null, payload);
        expect({ route, status, code: (json.error as { code: string }).code }).toEqual({ route, status: 401, code: 'UNAUTHENTICATED' });
      }
    });
  });
});
