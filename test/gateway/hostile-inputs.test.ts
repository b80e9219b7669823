import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import {
  agentToken,
  createProject,
  DEFAULT_LIMITS,
  DEVELOPER,
  expectAuditedDenial,
  FIXTURE_POLICY,
  snapshot,
  submit,
  SUBMIT,
  verifyChain,
  type Project,
  type SubmitInput,
} from './gateway-harness.ts';
import { HOSTILE_PATH_CASES, type HostileCase } from './hostile-path-cases.ts';
import { HOSTILE_REQUEST_CASES } from './hostile-request-cases.ts';

/**
 * The hostile-input suite (issue #4 acceptance): every case is denied with the right code, leaves no
 * trace on disk — the root, its prefix-sharing sibling and the folder beyond both are snapshotted
 * (kind, mode, size, mtime, content hash, link target) before and after — and is audited; at the end
 * the audit chain verifies. One app serves every case, as agents would meet it.
 */
const CASES: HostileCase[] = [...HOSTILE_PATH_CASES, ...HOSTILE_REQUEST_CASES];

function inputOf(c: HostileCase, p: Project): SubmitInput {
  const given = typeof c.input === 'function' ? c.input(p) : c.input;
  return { ...DEVELOPER, specId: 'SPEC-DOCS', action: 'write_file', ...given };
}

describe('hostile inputs to the gateway', () => {
  let t: TestApp;
  let project: Project;
  let tokens: Record<NonNullable<HostileCase['as']>, string>;

  beforeAll(async () => {
    project = await createProject();
    // The body limit is raised so that over-sized content reaches the gateway rather than the HTTP layer.
    t = await startTestApp({ projectRoot: project.root, policyDir: FIXTURE_POLICY, limits: { ...DEFAULT_LIMITS, bodyBytes: 4 * 1024 * 1024 } });
    tokens = { developer: await t.tokenFor('agent'), reviewer: await agentToken(t, 'review-bot', ['reviewer']) };
  });
  afterAll(async () => {
    await t?.stop();
    await project?.cleanup();
  });

  it('has at least 60 cases, each with its own name', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c.expectedCode, c] as const))('denies %s with %s, audits it and leaves the disk untouched', async (_name, _code, c) => {
    await c.setup?.(project);
    const before = await snapshot(project.base);
    const res = await t.gql<{ submitRequest: { request: { requestId: string; status: string; reason: { code: string; message: string } | null } | null; userErrors: unknown[] } }>(
      SUBMIT,
      { input: inputOf(c, project) },
      tokens[c.as ?? 'developer'],
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.submitRequest.userErrors).toEqual([]);
    const request = res.body.data!.submitRequest.request!;
    expect({ status: request.status, code: request.reason?.code }, request.reason?.message).toEqual({ status: 'DENIED', code: c.expectedCode });
    expect(await snapshot(project.base)).toEqual(before);
    await expectAuditedDenial(t, request.requestId, c.expectedCode);
  });

  it('sees an allowed write in its snapshot (the control for the cases above)', async () => {
    const before = await snapshot(project.base);
    const request = await submit(t, tokens.developer, { ...DEVELOPER, specId: 'SPEC-DOCS', action: 'write_file', params: { path: 'docs/control.md', content: 'ok\n' } });
    expect(request.status).toBe('APPROVED');
    expect(await snapshot(project.base)).not.toEqual(before);
  });

  it('keeps an audit chain that verifies after every hostile case', async () => {
    const chain = await verifyChain(t);
    expect(chain).toMatchObject({ ok: true, firstBrokenAt: null });
    expect(chain.checked).toBeGreaterThanOrEqual(2 * CASES.length);
  });

  describe('tokens without the act permission', () => {
    const input = { ...DEVELOPER, specId: 'SPEC-DOCS', action: 'write_file', params: { path: 'docs/by-operator.md', content: 'x' } };
    const requestCount = async () => (await t.gql<{ gatewayRequests: { totalCount: number } }>('{ gatewayRequests { totalCount } }')).body.data?.gatewayRequests.totalCount;

    it.each(['operator', 'admin', 'viewer'] as const)('refuses submitRequest from a %s token with FORBIDDEN and records no request', async (role) => {
      const token = await t.tokenFor(role);
      const before = await snapshot(project.base);
      const requestsBefore = await requestCount();
      const res = await t.gql(SUBMIT, { input }, token);
      expect(res.body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
      expect(res.body.data?.submitRequest ?? null).toBeNull();
      expect(await snapshot(project.base)).toEqual(before);
      expect(await requestCount()).toBe(requestsBefore);
    });

    it('refuses submitRequest without a token with UNAUTHENTICATED', async () => {
      const res = await t.gql(SUBMIT, { input }, null);
      expect(res.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    });
  });
});
