import { access, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { auditFor, createProject, DEVELOPER, expectAuditedDenial, FIXTURE_POLICY, snapshot, submit, type Project, type SubmitInput } from './gateway-harness.ts';

/**
 * Governance `mode: shadow` (DESIGN §7): policy denials are recorded as would-be denials and the
 * request is allowed; identity, root escape, bad input and infrastructure failures are never shadowed
 * (enforcement.ts). Runs on the fixture policy (the shipped one plus SPEC-TOOLS, whose `stall_forever`
 * has no handler here).
 */
const exists = (p: string) => access(p).then(() => true, () => false);
const write = (p: string, content = 'shadow\n'): SubmitInput => ({ ...DEVELOPER, specId: 'SPEC-DOCS', action: 'write_file', params: { path: p, content } });

describe('shadow mode', () => {
  let t: TestApp;
  let project: Project;
  let agent: string;

  beforeAll(async () => {
    project = await createProject();
    await symlink('../../outside', path.join(project.root, 'docs/out'));
    t = await startTestApp({ projectRoot: project.root, policyDir: FIXTURE_POLICY, gatewayMode: 'shadow' });
    agent = await t.tokenFor('agent');
  });
  afterAll(async () => {
    await t?.stop();
    await project?.cleanup();
  });

  it('says so in gatewayStatus', async () => {
    const res = await t.gql<{ gatewayStatus: { mode: string } }>('{ gatewayStatus { mode } }');
    expect(res.body.data?.gatewayStatus.mode).toBe('shadow');
  });

  it('allows a jurisdiction violation, records the would-be denial in shadowReason and the audit log', async () => {
    const r = await submit(t, agent, write('notes.md'));
    expect(r).toMatchObject({ status: 'APPROVED', reason: null, shadowReason: { code: 'path_outside_jurisdiction' }, execution: 'completed' });
    expect(await readFile(path.join(project.root, 'notes.md'), 'utf8')).toBe('shadow\n');
    expect(await auditFor(t, r.requestId)).toContainEqual(expect.objectContaining({ kind: 'DECISION', decision: 'APPROVED', reasonCode: 'path_outside_jurisdiction' }));
  });

  it.each([
    ['another agent name', { ...write('docs/spoof.md'), agent: 'deploy-bot' }, 'identity_mismatch'],
    ['a role the token does not carry', { ...write('docs/spoof.md'), role: 'reviewer' }, 'identity_mismatch'],
    ['a ../ escape', write('../outside/escaped.txt'), 'path_outside_root'],
    ['a symlink out of the root', write('docs/out/planted.txt'), 'path_outside_root'],
    ['a NUL byte', write('docs/x\u0000.md'), 'invalid_params'],
    ['a numeric path', { ...write('docs/x.md'), params: { path: 42, content: 'x' } }, 'invalid_params'],
    ['an action the policy allows but no handler provides', { ...DEVELOPER, specId: 'SPEC-TOOLS', action: 'stall_forever', params: {} }, 'unknown_action'],
  ] as const)('still denies %s', async (_name, input, code) => {
    const before = await snapshot(project.base);
    const r = await submit(t, agent, input);
    expect(r).toMatchObject({ status: 'DENIED', reason: { code }, shadowReason: null, execution: 'not_run' });
    expect(await snapshot(project.base)).toEqual(before);
    await expectAuditedDenial(t, r.requestId, code);
  });

  it('still holds an in-spec delete for approval', async () => {
    const r = await submit(t, agent, { ...DEVELOPER, specId: 'SPEC-DOCS', action: 'delete_file', params: { path: 'docs/guide.md' } });
    expect(r).toMatchObject({ status: 'PENDING_APPROVAL', shadowReason: null });
    expect(await exists(path.join(project.root, 'docs/guide.md'))).toBe(true);
  });

  /**
   * Regression: the pipeline once stopped at the first failed check, so in shadow mode a shadowable
   * failure early on (spec, role, action, jurisdiction) skipped the hard checks after it (handler,
   * params, root) and the approval rule. Every check that can run now runs (decide-request.ts).
   */
  describe('when an earlier, shadowable check also fails', () => {
    it('denies a root escape under a spec that does not exist path_outside_root', async () => {
      const r = await submit(t, agent, { ...write('../outside/escaped.txt'), specId: 'SPEC-NOPE' });
      expect(r).toMatchObject({ status: 'DENIED', reason: { code: 'path_outside_root' }, execution: 'not_run' });
    });

    it('denies malformed params under a draft spec invalid_params', async () => {
      const r = await submit(t, agent, { ...write('docs/x.md'), specId: 'SPEC-RELEASE', params: { path: 42, content: 'x' } });
      expect(r).toMatchObject({ status: 'DENIED', reason: { code: 'invalid_params' }, execution: 'not_run' });
    });

    it('denies an action no handler provides, rather than answering APPROVED for an action that never runs', async () => {
      const r = await submit(t, agent, { ...DEVELOPER, specId: 'SPEC-DOCS', action: 'run_command', params: { command: 'id' } });
      expect(r).toMatchObject({ status: 'DENIED', reason: { code: 'unknown_action' } });
    });

    it('runs an in-root write under a draft spec, recording spec_not_active as the would-be denial', async () => {
      const r = await submit(t, agent, { ...write('docs/releases-draft.md'), specId: 'SPEC-RELEASE' });
      expect(r).toMatchObject({ status: 'APPROVED', shadowReason: { code: 'spec_not_active' }, execution: 'completed' });
    });

    it('holds an out-of-spec delete for approval, as every delete needs, rather than running it at once', async () => {
      const r = await submit(t, agent, { ...DEVELOPER, specId: 'SPEC-DOCS', action: 'delete_file', params: { path: 'README.md' } });
      expect(r).toMatchObject({ status: 'PENDING_APPROVAL', shadowReason: { code: 'path_outside_jurisdiction' } });
    });
  });
});
