import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildSchema } from '../../src/schema/index.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Calls every root field with every role (issue #2 §5). The table below is the contract; a new root
 * field fails the first test until it is listed here with the roles that may call it.
 */
type Caller = 'anonymous' | 'viewer' | 'operator' | 'admin' | 'agent';
const CALLERS: Caller[] = ['anonymous', 'viewer', 'operator', 'admin', 'agent'];
const READERS: Caller[] = ['viewer', 'operator', 'admin'];
const ADMINS: Caller[] = ['admin'];
const OPERATORS: Caller[] = ['operator', 'admin'];
const AGENTS: Caller[] = ['agent'];

interface Case {
  allowed: Caller[];
  document: string;
}

const MATRIX: Record<'Query' | 'Mutation' | 'Subscription', Record<string, Case>> = {
  Query: {
    serverInfo: { allowed: CALLERS, document: '{ serverInfo { version } }' },
    readiness: { allowed: READERS, document: '{ readiness { state } }' },
    dashboard: { allowed: READERS, document: '{ dashboard { generatedAt } }' },
    node: { allowed: READERS, document: '{ node(id: "QXBpVG9rZW46bm9uZQ") { id } }' },
    apiTokens: { allowed: ADMINS, document: '{ apiTokens(first: 1) { totalCount } }' },
    plugins: { allowed: READERS, document: '{ plugins { name } }' },
    rules: { allowed: READERS, document: '{ rules(first: 1) { totalCount } }' },
    rule: { allowed: READERS, document: '{ rule(ruleId: "R0000") { ruleId } }' },
    tags: { allowed: READERS, document: '{ tags(first: 1) { totalCount } }' },
    techniqueCounts: { allowed: READERS, document: '{ techniqueCounts { count } }' },
    navigatorLayer: { allowed: READERS, document: '{ navigatorLayer }' },
    attackTechnique: { allowed: READERS, document: '{ attackTechnique(id: "T1003") { name } }' },
    gatewayStatus: { allowed: READERS, document: '{ gatewayStatus { mode } }' },
    policy: { allowed: READERS, document: '{ policy { policyHash } }' },
    gatewayRequests: { allowed: READERS, document: '{ gatewayRequests(first: 1) { totalCount } }' },
    gatewayRequest: { allowed: READERS, document: '{ gatewayRequest(requestId: "req_20260101_000000_001") { status } }' },
    auditEvents: { allowed: READERS, document: '{ auditEvents(first: 1) { totalCount } }' },
    verifyAuditChain: { allowed: READERS, document: '{ verifyAuditChain { ok } }' },
    scenarios: { allowed: READERS, document: '{ scenarios(first: 1) { totalCount } }' },
    scenario: { allowed: READERS, document: '{ scenario(id: "ssh-brute-force") { stepCount } }' },
    state: { allowed: READERS, document: '{ state { queued } }' },
    runs: { allowed: READERS, document: '{ runs(first: 1) { totalCount } }' },
    run: { allowed: READERS, document: '{ run(runId: "__RUN__") { state } }' },
    runLogs: { allowed: READERS, document: '{ runLogs(runId: "__RUN__", first: 1) { totalCount } }' },
    governance: { allowed: READERS, document: '{ governance { revision } }' },
    governanceHistory: { allowed: READERS, document: '{ governanceHistory(first: 1) { totalCount } }' },
    governancePresets: { allowed: READERS, document: '{ governancePresets { name } }' },
  },
  Mutation: {
    createApiToken: { allowed: ADMINS, document: 'mutation { createApiToken(input: { name: "matrix", role: VIEWER }) { userErrors { code } } }' },
    revokeApiToken: { allowed: ADMINS, document: 'mutation { revokeApiToken(input: { id: "no-such-token" }) { userErrors { code } } }' },
    ingestEvents: { allowed: OPERATORS, document: 'mutation { ingestEvents(input: { events: [] }) { accepted } }' },
    setRuleState: { allowed: OPERATORS, document: 'mutation { setRuleState(input: { ruleId: "R0000", state: DISABLED }) { userErrors { code } } }' },
    clearRuleState: { allowed: OPERATORS, document: 'mutation { clearRuleState(input: { ruleId: "R0000" }) { userErrors { code } } }' },
    reloadRules: { allowed: OPERATORS, document: 'mutation { reloadRules { loaded } }' },
    submitRequest: { allowed: AGENTS, document: 'mutation { submitRequest(input: { agent: "test-agent", role: "developer", specId: "SPEC-NONE", action: "read_file", params: { path: "x" } }) { request { status } } }' },
    decideApproval: { allowed: OPERATORS, document: 'mutation { decideApproval(input: { requestId: "req_20260101_000000_001", approve: false }) { userErrors { code } } }' },
    reloadPolicy: { allowed: ADMINS, document: 'mutation { reloadPolicy { ok } }' },
    activateScenario: { allowed: OPERATORS, document: 'mutation { activateScenario(input: { scenarioId: "ssh-brute-force" }) { userErrors { code } } }' },
    updateScenario: { allowed: OPERATORS, document: 'mutation { updateScenario(input: { scenarioId: "no-such-scenario", name: "x" }) { userErrors { code } } }' },
    startRun: { allowed: OPERATORS, document: 'mutation { startRun(input: { scenarioId: "no-such-scenario" }) { userErrors { code } } }' },
    stopRun: { allowed: OPERATORS, document: 'mutation { stopRun(input: { runId: "__RUN__" }) { userErrors { code } } }' },
    pauseRun: { allowed: OPERATORS, document: 'mutation { pauseRun(input: { runId: "__RUN__" }) { userErrors { code } } }' },
    resumeRun: { allowed: OPERATORS, document: 'mutation { resumeRun(input: { runId: "__RUN__" }) { userErrors { code } } }' },
    stepRun: { allowed: OPERATORS, document: 'mutation { stepRun(input: { runId: "__RUN__", ticks: 1 }) { userErrors { code } } }' },
    exportRun: { allowed: OPERATORS, document: 'mutation { exportRun(input: { runId: "no-such-run" }) { userErrors { code } } }' },
    updateGovernance: { allowed: ADMINS, document: 'mutation { updateGovernance(input: { expectedRevision: 999 }) { userErrors { code } } }' },
  },
  Subscription: {
    readinessChanged: { allowed: READERS, document: 'subscription { readinessChanged { state } }' },
    ttpTagged: { allowed: READERS, document: 'subscription { ttpTagged(after: "0") { cursor } }' },
    ruleStateChanged: { allowed: READERS, document: 'subscription { ruleStateChanged { ruleId } }' },
    gatewayDecisions: { allowed: READERS, document: 'subscription { gatewayDecisions { cursor } }' },
    approvalRequested: { allowed: READERS, document: 'subscription { approvalRequested { requestId } }' },
    runProgress: { allowed: READERS, document: 'subscription { runProgress(runId: "__RUN__") { state } }' },
    runLogs: { allowed: READERS, document: 'subscription { runLogs(runId: "__RUN__") { seq } }' },
    governanceChanged: { allowed: READERS, document: 'subscription { governanceChanged { revision } }' },
  },
};

describe('role matrix', () => {
  let t: TestApp;
  const tokens: Partial<Record<Caller, string>> = {};
  // Run fields are called with a finished run, so an allowed call succeeds (run_not_active etc. are user errors).
  let runId = '';
  const documentOf = (spec: Case) => spec.document.replaceAll('__RUN__', runId);

  beforeAll(async () => {
    t = await startTestApp();
    for (const caller of CALLERS) if (caller !== 'anonymous') tokens[caller] = await t.tokenFor(caller);
    const { runs } = t.app.operator();
    runId = (await runs.start({ scenarioId: 'ssh-brute-force', overrides: {}, idempotencyKey: null }, 'matrix')).run.runId;
    for (let i = 0; i < 100 && (await runs.get(runId))?.state !== 'COMPLETED'; i += 1) await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(async () => {
    await t.stop();
  });

  it('lists exactly the root fields the schema has', () => {
    const schema = buildSchema();
    const fields = (type: { getFields(): Record<string, unknown> } | null | undefined) => Object.keys(type?.getFields() ?? {}).sort();
    expect(fields(schema.getQueryType())).toEqual(Object.keys(MATRIX.Query).sort());
    expect(fields(schema.getMutationType())).toEqual(Object.keys(MATRIX.Mutation).sort());
    expect(fields(schema.getSubscriptionType())).toEqual(Object.keys(MATRIX.Subscription).sort());
  });

  const expectAccess = (caller: Caller, allowed: boolean, codes: string[]) => {
    const authCodes = codes.filter((c) => c === 'UNAUTHENTICATED' || c === 'FORBIDDEN');
    if (allowed) expect(authCodes).toEqual([]);
    else expect(authCodes).toEqual([caller === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN']);
  };

  for (const type of ['Query', 'Mutation'] as const) {
    for (const [field, spec] of Object.entries(MATRIX[type])) {
      for (const caller of CALLERS) {
        const allowed = spec.allowed.includes(caller);
        it(`${allowed ? 'lets' : 'refuses'} ${caller} ${type}.${field}`, async () => {
          const response = await t.gql(documentOf(spec), undefined, tokens[caller] ?? null);
          expectAccess(caller, allowed, (response.body.errors ?? []).map((e) => e.extensions.code));
          if (!allowed) expect(response.status).toBe(caller === 'anonymous' ? 401 : 403);
        });
      }
    }
  }

  for (const [field, spec] of Object.entries(MATRIX.Subscription)) {
    for (const caller of CALLERS) {
      const allowed = spec.allowed.includes(caller);
      it(`${allowed ? 'lets' : 'refuses'} ${caller} Subscription.${field}`, async () => {
        const client = createClient({
          url: t.wsUrl,
          webSocketImpl: WebSocket,
          retryAttempts: 0,
          connectionParams: tokens[caller] ? { authorization: `Bearer ${tokens[caller]}` } : {},
        });
        try {
          const codes = await new Promise<string[]>((resolve, reject) => {
            // Streams without an initial message (ttpTagged, ruleStateChanged) stay silent when
            // allowed; a refusal arrives at once, so silence for 500 ms means "allowed".
            setTimeout(() => resolve([]), 500);
            const unsubscribe = client.subscribe(
              { query: documentOf(spec) },
              {
                next: (result) => {
                  unsubscribe();
                  resolve((result.errors ?? []).map((e) => String(e.extensions?.code)));
                },
                error: (err) => (Array.isArray(err) ? resolve(err.map((e) => String(e.extensions?.code))) : reject(err)),
                complete: () => resolve([]),
              },
            );
          });
          expectAccess(caller, allowed, codes);
          if (allowed) expect(codes).toEqual([]);
        } finally {
          await client.dispose();
        }
      });
    }
  }
});
