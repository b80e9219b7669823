import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_KNOBS } from '../../src/engine/gateway/governance-knobs.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { agentToken, auditFor, createProject, DEFAULT_LIMITS, DEVELOPER, FIXTURE_POLICY, REQUEST_FIELDS, submit, verifyChain, type Project, type RequestView } from './gateway-harness.ts';

/**
 * Issue #4: "100 aliased `submitRequest` fields in one document (budgets apply per request)". One
 * GraphQL document is not one request to the gateway: each alias is a request of its own, decided,
 * counted against the agent's per-minute budget and audited on its own. The budget is the default
 * knob (`maxRequestsPerMinute`, 120), so the document carries 130 aliases; the query limits are
 * raised for this app only (the default alias limit, 30, would refuse the document first).
 */
const BUDGET = DEFAULT_GATEWAY_KNOBS.maxRequestsPerMinute;
const ALIASES = BUDGET + 10;
const ESCAPES = [40, 125]; // aliases that try to leave the root: denied on their merits (a hard failure), before and after the budget runs out

function document(count: number): string {
  const fields = Array.from({ length: count }, (_, i) => `r${i}: submitRequest(input: $in${i}) { request { ${REQUEST_FIELDS} } userErrors { message } }`);
  const vars = Array.from({ length: count }, (_, i) => `$in${i}: SubmitRequestInput!`);
  return `mutation Many(${vars.join(', ')}) {\n${fields.join('\n')}\n}`;
}

const inputFor = (i: number) => ({ ...DEVELOPER, specId: 'SPEC-DOCS', action: 'read_file', params: { path: ESCAPES.includes(i) ? '../outside/secret.txt' : 'docs/readme.md' } });

describe('a document with many aliased submitRequest fields', () => {
  let t: TestApp;
  let project: Project;
  let token: string;
  let requests: RequestView[];

  beforeAll(async () => {
    project = await createProject();
    t = await startTestApp({ projectRoot: project.root, policyDir: FIXTURE_POLICY, limits: { ...DEFAULT_LIMITS, maxAliases: 200, maxCost: 1_000_000, maxTokens: 100_000 } });
    token = await t.tokenFor('agent');
    const variables = Object.fromEntries(Array.from({ length: ALIASES }, (_, i) => [`in${i}`, inputFor(i)]));
    const res = await t.gql<Record<string, { request: RequestView; userErrors: unknown[] }>>(document(ALIASES), variables, token);
    expect(res.body.errors).toBeUndefined();
    requests = Array.from({ length: ALIASES }, (_, i) => res.body.data![`r${i}`]!.request);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await project?.cleanup();
  });

  it('decides every alias as a request of its own, with its own id', () => {
    expect(requests).toHaveLength(ALIASES);
    expect(new Set(requests.map((r) => r.requestId)).size).toBe(ALIASES);
  });

  it('decides the first 120 budgeted requests on their merits and denies the rest budget_exceeded', () => {
    // Mutation fields run in order; a hard failure (the root escapes) stops the pipeline before the budget check.
    let spent = 0;
    const expected = requests.map((_, i) => {
      if (ESCAPES.includes(i)) return 'DENIED path_outside_root';
      spent += 1;
      return spent <= BUDGET ? 'APPROVED' : 'DENIED budget_exceeded';
    });
    expect(requests.map((r) => `${r.status}${r.reason ? ` ${r.reason.code}` : ''}`)).toEqual(expected);
    expect(requests.filter((r) => r.status === 'APPROVED')).toHaveLength(BUDGET);
    expect(requests.filter((r) => r.reason?.code === 'budget_exceeded')).toHaveLength(ALIASES - BUDGET - ESCAPES.length);
  });

  it('audits every alias, the budget denials included', async () => {
    for (const r of requests) {
      const kinds = (await auditFor(t, r.requestId)).map((e) => `${e.kind} ${e.decision ?? ''} ${e.reasonCode ?? ''}`.trim());
      const decided = r.status === 'APPROVED' ? ['DECISION APPROVED', 'ACTION_COMPLETED APPROVED'] : [`DECISION DENIED ${r.reason?.code}`];
      expect(kinds, r.requestId).toEqual(['REQUEST_RECEIVED', ...decided]);
    }
    expect(await verifyChain(t)).toMatchObject({ ok: true, firstBrokenAt: null });
  });

  it("charges the budget to the agent, not to the document: another agent's request is decided on its merits", async () => {
    const other = await agentToken(t, 'second-agent', ['developer']);
    const r = await submit(t, other, { agent: 'second-agent', role: 'developer', specId: 'SPEC-DOCS', action: 'read_file', params: { path: 'docs/readme.md' } });
    expect(r.status).toBe('APPROVED');
    const again = await submit(t, token, inputFor(0));
    expect(again.reason?.code).toBe('budget_exceeded');
  });
});
