import { access } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_GATEWAY_KNOBS } from '../../src/engine/gateway/governance-knobs.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { auditFor, createProject, decide, DEVELOPER, gatewayRequest, submit, verifyChain, type Project } from './gateway-harness.ts';

/**
 * A pending approval that nobody decides expires to a denial (DESIGN §7: "it expires to a denial").
 * The TTL is `approvalTtlSeconds` (900 s) and has no config knob yet, so the test moves the clock
 * instead: only `Date` is faked, so the server's real one-second expiry sweep sees the deadline pass.
 */
const exists = (p: string) => access(p).then(() => true, () => false);

describe('an approval nobody decides', () => {
  let t: TestApp;
  let project: Project;
  let agent: string;
  let operator: string;

  beforeAll(async () => {
    project = await createProject();
    t = await startTestApp({ projectRoot: project.root });
    agent = await t.tokenFor('agent');
    operator = await t.tokenFor('operator');
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    await t?.stop();
    await project?.cleanup();
  });

  it('is denied approval_expired after its window, audited, and can no longer be approved', async () => {
    const pending = await submit(t, agent, { ...DEVELOPER, specId: 'SPEC-DOCS', action: 'delete_file', params: { path: 'docs/guide.md' } });
    expect(pending.status).toBe('PENDING_APPROVAL');
    const deadline = Date.parse(pending.expiresAt!);
    expect(deadline - Date.now()).toBeGreaterThan((DEFAULT_GATEWAY_KNOBS.approvalTtlSeconds - 10) * 1000);

    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(deadline + 1000);
    let expired = await gatewayRequest(t, pending.requestId);
    for (let i = 0; i < 60 && expired?.status === 'PENDING_APPROVAL'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expired = await gatewayRequest(t, pending.requestId);
    }
    expect(expired).toMatchObject({ status: 'DENIED', execution: 'not_run', reason: { code: 'approval_expired' }, expiresAt: pending.expiresAt });
    expect(await auditFor(t, pending.requestId)).toContainEqual({ seq: expect.any(Number), kind: 'APPROVAL_DECIDED', decision: 'DENIED', reasonCode: 'approval_expired' });

    const late = await decide(t, operator, pending.requestId, true);
    expect(late).toMatchObject({ request: null, userErrors: [{ code: 'BAD_USER_INPUT', field: 'requestId' }] });
    expect(await exists(path.join(project.root, 'docs/guide.md'))).toBe(true);
    expect(await verifyChain(t)).toMatchObject({ ok: true });
  });
});
