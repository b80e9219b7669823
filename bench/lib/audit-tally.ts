import { createDatabase } from '../../src/persistence/database.ts';
import { createAuditRepository } from '../../src/persistence/repositories/audit-repository.ts';

/**
 * What the audit log says about a gateway bench run, asked two ways: the running server's own
 * `verifyAuditChain` over GraphQL, and, after the server has stopped, the SQLite file itself (every
 * request must have exactly one `request_received`, one `decision` and one `action_completed` entry,
 * and the chain must verify from the first entry to the last).
 */
export interface ChainVerdict {
  ok: boolean;
  checked: number;
  firstBrokenAt: number | null;
  reason: string | null;
}

/**
 * Polls `verifyAuditChain` until two answers 500 ms apart check the same number of entries, so
 * requests still in flight when the load stopped are in the log before it is read.
 */
export async function verifyChainWhenQuiet(origin: string, adminToken: string, timeoutMs = 30_000): Promise<ChainVerdict> {
  const deadline = Date.now() + timeoutMs;
  let last: ChainVerdict | null = null;
  for (;;) {
    const response = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ query: '{ verifyAuditChain { ok checked firstBrokenAt reason } }' }),
    });
    const body = (await response.json()) as { data?: { verifyAuditChain?: ChainVerdict }; errors?: unknown };
    const verdict = body.data?.verifyAuditChain;
    if (!verdict) throw new Error(`verifyAuditChain answered ${response.status} ${JSON.stringify(body)}`);
    if (last && last.checked === verdict.checked) return verdict;
    if (Date.now() > deadline) throw new Error(`the audit chain was still growing after ${timeoutMs} ms (${verdict.checked} entries)`);
    last = verdict;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const EXPECTED_KINDS = ['request_received', 'decision', 'action_completed'] as const;

/** Reads the stopped server's database file in `dataDir` (key null: the bench server runs without GATEHOUSE_AUDIT_KEY). */
export async function tallyAuditDatabase(dataDir: string) {
  const db = await createDatabase({ url: undefined, dataDir });
  try {
    const knex = db.fork().getKnex();
    const byKind: { kind: string; n: number }[] = await knex('audit_events').select('kind').count({ n: '*' }).groupBy('kind');
    const decisions: { reason_code: string | null; decision: string; n: number }[] = await knex('audit_events').select('decision', 'reason_code').count({ n: '*' }).where('kind', 'decision').groupBy('decision', 'reason_code');
    const perRequest = knex('audit_events')
      .select('request_id')
      .count({ n: '*' })
      .whereNotNull('request_id')
      .groupBy('request_id')
      .havingRaw(`not (count(*) = 3 and ${EXPECTED_KINDS.map((k) => `sum(kind = '${k}') = 1`).join(' and ')})`);
    const [incomplete] = await knex.from(perRequest.as('bad')).count({ n: '*' });
    const [requests] = await knex('audit_events').countDistinct({ n: 'request_id' }).whereNotNull('request_id');
    const [rows] = await knex('gateway_requests').count({ n: '*' });
    const chain = await createAuditRepository(() => db.fork(), { key: null }).verify();
    const entriesByKind = Object.fromEntries(byKind.map((r) => [r.kind, Number(r.n)]));
    const requestCount = Number(requests?.n ?? 0);
    const requestsWithoutThreeEntries = Number(incomplete?.n ?? 0);
    return {
      chain,
      entries: Object.values(entriesByKind).reduce((s, n) => s + n, 0),
      entriesByKind,
      requests: requestCount,
      gatewayRequestRows: Number(rows?.n ?? 0),
      requestsWithoutThreeEntries,
      decisions: decisions.map((d) => ({ decision: d.decision, reasonCode: d.reason_code, count: Number(d.n) })),
      budgetExceeded: decisions.filter((d) => d.reason_code === 'budget_exceeded').reduce((s, d) => s + Number(d.n), 0),
      threeEntriesPerRequest: requestsWithoutThreeEntries === 0 && EXPECTED_KINDS.every((k) => entriesByKind[k] === requestCount),
    };
  } finally {
    await db.close();
  }
}
