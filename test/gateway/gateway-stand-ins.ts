import type { Principal } from '../../src/engine/auth/principal.ts';
import type { AuditEntry, AuditLog, NewAuditEntry } from '../../src/engine/gateway/audit.ts';
import type { GatewayRequestRecord, GatewayRequestStore } from '../../src/engine/gateway/gateway-request.ts';
import type { GatewayJournal } from '../../src/engine/gateway/gateway-journal.ts';
import { createGatewayService, type GatewayServiceDeps } from '../../src/engine/gateway/gateway-service.ts';
import { DEFAULT_GATEWAY_KNOBS } from '../../src/engine/gateway/governance-knobs.ts';
import type { Policy } from '../../src/engine/gateway/policy.ts';
import { createRateBudget } from '../../src/engine/gateway/rate-budget.ts';
import { defineActionHandler, type ActionHandlerDefinition } from '../../src/plugins/api.ts';

/**
 * In-memory stand-ins for what the gateway service is composed of, so the seams issue 6 §5 swaps
 * (request id source, rate budget, idempotency) can be exercised without an app: one pathless action
 * (`ping`), a policy that allows it to `developer` agents, an audit log and a request store in arrays.
 */
export const PING = defineActionHandler<Record<string, never>>({
  action: 'ping',
  description: 'answers pong',
  takesPath: false,
  mutates: false,
  parseParams: () => ({}),
  execute: async () => ({ ok: true, output: { pong: true } }),
}) as ActionHandlerDefinition<unknown>;

export const PING_POLICY: Policy = {
  specs: new Map([['SPEC-PING', { id: 'SPEC-PING', title: 'Ping', status: 'active', roles: ['developer'], actionTypes: ['ping'], paths: [] }]]),
  jurisdictions: new Map([['developer', { role: 'developer', paths: [], actionTypes: ['ping'] }]]),
  protectedPaths: [],
  approvalRules: [],
  hash: 'test',
  loadedAt: new Date('2024-05-06T07:08:09Z'),
  files: [],
};

export const AGENT: Principal = { tokenId: 'tok-1', name: 'agent token', role: 'agent', agent: 'test-agent', agentRoles: ['developer'] };
export const PING_REQUEST = { agent: 'test-agent', role: 'developer', specId: 'SPEC-PING', action: 'ping', params: {} };
export const ORIGIN = { tokenId: 'tok-1', tokenName: 'agent token', transport: 'http' as const };

export function memoryAudit(): AuditLog & { entries: AuditEntry[] } {
  const entries: AuditEntry[] = [];
  return {
    entries,
    async append(entry: NewAuditEntry) {
      const stored = { ...entry, seq: entries.length + 1, id: `a${entries.length + 1}`, at: new Date(), prevHash: '', hash: '' };
      entries.push(stored);
      return stored;
    },
    verify: async () => ({ ok: true, checked: entries.length, firstBrokenAt: null, reason: null }),
    list: async () => [...entries].reverse(),
    count: async () => entries.length,
    entriesAfter: async (seq) => entries.filter((e) => e.seq > seq),
  };
}

export function memoryRequests(): GatewayRequestStore & { rows: Map<string, GatewayRequestRecord> } {
  const rows = new Map<string, GatewayRequestRecord>();
  return {
    rows,
    async insert(record) {
      if (rows.has(record.requestId)) throw new Error(`duplicate request id ${record.requestId}`);
      rows.set(record.requestId, structuredClone(record));
    },
    async update(record) {
      rows.set(record.requestId, structuredClone(record));
    },
    get: async (id) => (rows.has(id) ? structuredClone(rows.get(id)!) : null),
    list: async () => [...rows.values()],
    count: async () => rows.size,
    pending: async () => [],
    running: async () => [],
    countByStatusSince: async () => ({ APPROVED: 0, DENIED: 0, PENDING_APPROVAL: 0 }),
  };
}

/** The journal on the two stand-ins: entries appended, then the row written (no atomicity needed here). */
export function memoryJournal(audit: AuditLog, requests: GatewayRequestStore): GatewayJournal {
  return {
    async commit(record, entries, row) {
      const stored: AuditEntry[] = [];
      for (const entry of entries) stored.push(await audit.append({ ...entry, dryRun: record.dryRun, runId: record.runId }));
      if (row === 'insert') await requests.insert(record);
      if (row === 'replace') await requests.update(record);
      return stored;
    },
  };
}

/** A gateway service on the stand-ins; `overrides` replaces any dependency. */
export function pingGateway(overrides: Partial<GatewayServiceDeps> = {}) {
  const audit = memoryAudit();
  const requests = memoryRequests();
  let n = 0;
  const gateway = createGatewayService({
    // Writes go to the request store the caller passed, if any, as reads do.
    journal: memoryJournal(audit, overrides.requests ?? requests),
    requests,
    nextRequestId: () => `req_20240506_070809_${String((n += 1)).padStart(3, '0')}`,
    policy: () => PING_POLICY,
    handlers: () => new Map([['ping', PING]]),
    projectRoot: '/nonexistent-project-root',
    knobs: () => DEFAULT_GATEWAY_KNOBS,
    budget: createRateBudget(),
    detect: async () => [],
    recordEvent: async () => [],
    publishDecision: () => {},
    publishApprovalRequested: () => {},
    maxContentBytes: 1024,
    ...overrides,
  });
  return { gateway, audit, requests };
}
