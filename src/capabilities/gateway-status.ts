import type { DashboardProvider } from '../engine/dashboard/dashboard.ts';
import type { ChainVerification } from '../engine/gateway/audit.ts';
import type { GatewayRequestStore } from '../engine/gateway/gateway-request.ts';
import type { ReadinessProbe } from '../engine/readiness/readiness.ts';
import type { PolicyView } from '../resolvers/gateway/gateway-context.ts';

/** `gateway`: DEGRADED with a hint while no policy is loaded, the last reload failed, or the audit chain is broken. */
export function gatewayProbe(policy: PolicyView, chain: () => ChainVerification): ReadinessProbe {
  return {
    name: 'gateway',
    critical: false,
    check() {
      const hints = [];
      if (!policy.current()) hints.push({ code: 'policy_unavailable', severity: 'CRITICAL' as const, message: 'no valid policy is loaded: every agent request is denied' });
      const error = policy.lastError();
      if (error && policy.current()) hints.push({ code: 'policy_reload_failed', severity: 'WARNING' as const, message: `the newest policy files were refused (the previous policy stays in force): ${error.problems.join('; ')}` });
      const c = chain();
      if (!c.ok) hints.push({ code: 'audit_chain_broken', severity: 'CRITICAL' as const, message: `the audit chain is broken at seq ${c.firstBrokenAt}: ${c.reason}` });
      return hints.length ? { status: 'DEGRADED', reason: hints.map((h) => h.code).join(', '), hints } : { status: 'UP' };
    },
  };
}

/** Dashboard: requests by status in the last 24 h, pending approvals; the latest decisions. */
export function gatewayDashboard(requests: GatewayRequestStore): DashboardProvider {
  return {
    name: 'gateway',
    async load({ recentLimit }) {
      const [byStatus, latest] = await Promise.all([requests.countByStatusSince(new Date(Date.now() - 86_400_000)), requests.list({}, null, recentLimit)]);
      const breakdown = Object.entries(byStatus).map(([key, value]) => ({ key, value }));
      return {
        counts: [
          { key: 'gatewayRequests24h', label: 'Gateway requests in the last 24 h', value: breakdown.reduce((s, b) => s + b.value, 0), breakdown },
          { key: 'pendingApprovals', label: 'Requests waiting for approval', value: byStatus.PENDING_APPROVAL, breakdown: [] },
        ],
        recent: latest.slice(0, recentLimit).map((r) => ({ kind: 'gatewayDecision', id: r.requestId, title: `${r.status} ${r.agent} ${r.action}${r.reason ? ` (${r.reason.code})` : ''}`, at: r.decidedAt ?? r.createdAt })),
      };
    },
  };
}
