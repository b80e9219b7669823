import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/persistence/database.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { agentHttp, auditFor, createProject, DEVELOPER, FIXTURE_POLICY, gatewayRequest, snapshot, submit, verifyChain, type Project } from './gateway-harness.ts';

/**
 * Fail-closed under broken configuration and storage (DESIGN §7): a corrupted policy file never
 * replaces the policy in force, no policy means every request is denied, and no audit write means
 * no action. The crash between "approved" and "completed" is in crash-recovery.test.ts; the audit
 * chain's tamper evidence is in audit-tampering.test.ts.
 */
const writeDoc = (file: string) => ({ ...DEVELOPER, specId: 'SPEC-DOCS', action: 'write_file', params: { path: file, content: 'x\n' } });

interface ReadinessView {
  state: string;
  hints: { code: string; severity: string; message: string }[];
}

/** Readiness is refreshed on a timer; polls until `accept` holds (bounded). */
async function readinessUntil(t: TestApp, accept: (r: ReadinessView) => boolean): Promise<ReadinessView> {
  let last: ReadinessView | undefined;
  for (let i = 0; i < 100; i += 1) {
    last = (await t.gql<{ readiness: ReadinessView }>('{ readiness { state hints { code severity message } } }')).body.data?.readiness;
    if (last && accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`readiness never matched; last: ${JSON.stringify(last)}`);
}

describe('a policy file corrupted at runtime', () => {
  let t: TestApp;
  let project: Project;
  let policyDir: string;
  let token: string;

  beforeAll(async () => {
    project = await createProject();
    policyDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-policy-'));
    await cp(FIXTURE_POLICY, policyDir, { recursive: true });
    t = await startTestApp({ projectRoot: project.root, policyDir, watchRules: false, readinessIntervalSeconds: 0.1 });
    token = await t.tokenFor('agent');
  });
  afterAll(async () => {
    await t?.stop();
    await project?.cleanup();
    await rm(policyDir, { recursive: true, force: true });
  });

  it('refuses the garbage, keeps the previous policy in force and says so in readiness', async () => {
    const hashBefore = (await t.gql<{ policy: { policyHash: string } }>('{ policy { policyHash } }')).body.data?.policy.policyHash;
    expect((await submit(t, token, writeDoc('docs/before.md'))).status).toBe('APPROVED');

    await writeFile(path.join(policyDir, 'specs.yaml'), 'SPEC-DOCS: [unclosed\n\t: : \u0000garbage {{{\n');
    const reload = await t.gql<{ reloadPolicy: { ok: boolean; problems: string[]; policy: { policyHash: string } | null } }>('mutation { reloadPolicy { ok problems policy { policyHash } userErrors { code } } }');
    expect(reload.body.errors).toBeUndefined();
    const payload = reload.body.data!.reloadPolicy;
    expect(payload.ok).toBe(false);
    expect(payload.problems.length).toBeGreaterThan(0);
    expect(payload.problems.join('\n')).toContain('specs.yaml');
    expect(payload.policy?.policyHash).toBe(hashBefore);

    // Still decided by the previous policy: its grants and its refusals both hold.
    expect((await submit(t, token, writeDoc('docs/after.md'))).status).toBe('APPROVED');
    expect((await submit(t, token, { ...writeDoc('docs/releases/1.0.md'), specId: 'SPEC-RELEASE' })).reason?.code).toBe('spec_not_active');
    expect((await submit(t, token, writeDoc('docs/legal/terms.md'))).reason?.code).toBe('path_protected');

    const readiness = await readinessUntil(t, (r) => r.hints.some((h) => h.code === 'policy_reload_failed'));
    expect(readiness.state).toBe('DEGRADED');
    expect(readiness.hints.find((h) => h.code === 'policy_reload_failed')?.message).toContain('specs.yaml');
    const refused = await t.gql<{ auditEvents: { totalCount: number } }>('{ auditEvents(filter: { decision: "REFUSED" }) { totalCount } }');
    expect(refused.body.data?.auditEvents.totalCount).toBe(1);
  });

  it('takes the repaired files on the next reload and clears the hint', async () => {
    await cp(path.join(FIXTURE_POLICY, 'specs.yaml'), path.join(policyDir, 'specs.yaml'));
    const reload = await t.gql<{ reloadPolicy: { ok: boolean; problems: string[] } }>('mutation { reloadPolicy { ok problems userErrors { code } } }');
    expect(reload.body.data?.reloadPolicy).toEqual({ ok: true, problems: [], userErrors: [] });
    await readinessUntil(t, (r) => !r.hints.some((h) => h.code === 'policy_reload_failed'));
    expect(await verifyChain(t)).toMatchObject({ ok: true });
  });
});

describe('no valid policy at start', () => {
  let t: TestApp;
  let project: Project;
  let emptyDir: string;
  let token: string;

  beforeAll(async () => {
    project = await createProject();
    emptyDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-no-policy-'));
    t = await startTestApp({ projectRoot: project.root, policyDir: emptyDir, readinessIntervalSeconds: 0.1 });
    token = await t.tokenFor('agent');
  });
  afterAll(async () => {
    await t?.stop();
    await project?.cleanup();
    await rm(emptyDir, { recursive: true, force: true });
  });

  it.each([
    ['a write the shipped policy would allow', writeDoc('docs/new.md')],
    ['a read', { ...DEVELOPER, specId: 'SPEC-DOCS', action: 'read_file', params: { path: 'docs/readme.md' } }],
    ['a delete', { ...DEVELOPER, specId: 'SPEC-DOCS', action: 'delete_file', params: { path: 'docs/readme.md' } }],
    ['a request under an unknown spec', { ...writeDoc('docs/new.md'), specId: 'SPEC-NOPE' }],
  ])('denies %s policy_unavailable, audited, with nothing written', async (_name, input) => {
    const before = await snapshot(project.base);
    const r = await submit(t, token, input);
    expect({ status: r.status, code: r.reason?.code }).toEqual({ status: 'DENIED', code: 'policy_unavailable' });
    expect(await snapshot(project.base)).toEqual(before);
    expect(await auditFor(t, r.requestId)).toContainEqual(expect.objectContaining({ decision: 'DENIED', reasonCode: 'policy_unavailable' }));
  });

  it('reports the missing policy in GraphQL, GET /policy and readiness', async () => {
    const res = await t.gql<{ policy: null; gatewayStatus: { policyLoaded: boolean } }>('{ policy { policyHash } gatewayStatus { policyLoaded } }');
    expect(res.body.data).toEqual({ policy: null, gatewayStatus: { policyLoaded: false } });
    expect((await agentHttp(t, '/policy', token)).status).toBe(503);
    const readiness = await readinessUntil(t, (r) => r.hints.some((h) => h.code === 'policy_unavailable'));
    expect(readiness.hints.find((h) => h.code === 'policy_unavailable')?.severity).toBe('CRITICAL');
    expect(await verifyChain(t)).toMatchObject({ ok: true });
  });
});

describe('an audit log that cannot be written', () => {
  let t: TestApp;
  let project: Project;
  let dbDir: string;
  let side: Database;
  let token: string;
  const sql = (statement: string) => side.fork().getKnex().raw(statement);

  beforeAll(async () => {
    project = await createProject();
    dbDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-audit-db-'));
    const databaseUrl = `sqlite:${path.join(dbDir, 'g.db')}`;
    t = await startTestApp({ projectRoot: project.root, policyDir: FIXTURE_POLICY, databaseUrl });
    token = await t.tokenFor('agent');
    // A second connection to the same file, as another process with write access would have.
    side = await createDatabase({ url: databaseUrl, dataDir: dbDir });
  });
  afterAll(async () => {
    await side?.close();
    await t?.stop();
    await project?.cleanup();
    await rm(dbDir, { recursive: true, force: true });
  });

  it.each([
    ['every audit append fails', ''],
    ['only the decision cannot be', "when new.kind = 'decision'"],
  ])('denies audit_unavailable and writes nothing when %s', async (_name, when) => {
    await sql(`create trigger refuse_audit before insert on audit_events ${when} begin select raise(abort, 'audit storage refuses writes'); end`);
    try {
      const before = await snapshot(project.base);
      const r = await submit(t, token, writeDoc('docs/unaudited.md'));
      expect({ status: r.status, code: r.reason?.code, execution: r.execution }).toEqual({ status: 'DENIED', code: 'audit_unavailable', execution: 'not_run' });
      expect(await snapshot(project.base)).toEqual(before);
      expect((await gatewayRequest(t, r.requestId))?.reason?.code).toBe('audit_unavailable');
      // The receipt and the decision are committed together with the row: a refused decision takes the receipt with it.
      expect(await auditFor(t, r.requestId)).toEqual([]);
    } finally {
      await sql('drop trigger refuse_audit');
    }
  });

  it('denies a dry run audit_unavailable too, with no would-be result and nothing audited', async () => {
    await sql("create trigger refuse_audit before insert on audit_events when new.kind = 'action_completed' begin select raise(abort, 'audit storage refuses writes'); end");
    try {
      const r = await submit(t, token, { ...writeDoc('docs/dry-unaudited.md'), dryRun: true });
      expect({ status: r.status, code: r.reason?.code, execution: r.execution, result: r.result }).toEqual({ status: 'DENIED', code: 'audit_unavailable', execution: 'not_run', result: null });
      // A dry run's receipt, decision and outcome are one commit: the refused outcome takes the other two with it.
      expect(await auditFor(t, r.requestId)).toEqual([]);
    } finally {
      await sql('drop trigger refuse_audit');
    }
  });

  it('commits the receipt, decision and outcome of a dry run together, and changes nothing', async () => {
    const before = await snapshot(project.base);
    const r = await submit(t, token, { ...writeDoc('docs/dry.md'), dryRun: true });
    expect({ status: r.status, execution: r.execution }).toEqual({ status: 'APPROVED', execution: 'completed' });
    const entries = await auditFor(t, r.requestId);
    expect(entries.map((e) => e.kind)).toEqual(['REQUEST_RECEIVED', 'DECISION', 'ACTION_COMPLETED']);
    expect(entries.map((e) => e.seq - (entries[0]?.seq ?? 0))).toEqual([0, 1, 2]);
    expect(await snapshot(project.base)).toEqual(before);
  });

  it('acts again, audited, once the log can be written, and the chain still verifies', async () => {
    const r = await submit(t, token, writeDoc('docs/audited.md'));
    expect(r.status).toBe('APPROVED');
    expect((await auditFor(t, r.requestId)).map((e) => e.kind)).toEqual(['REQUEST_RECEIVED', 'DECISION', 'ACTION_COMPLETED']);
    expect(await verifyChain(t)).toMatchObject({ ok: true, firstBrokenAt: null });
  });
});
