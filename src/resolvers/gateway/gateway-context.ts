import type { AuditLog, AuditOrigin } from '../../engine/gateway/audit.ts';
import type { GatewayRequestRecord, GatewayRequestStore } from '../../engine/gateway/gateway-request.ts';
import type { GatewayService } from '../../engine/gateway/gateway-service.ts';
import type { GatewayKnobs } from '../../engine/gateway/governance-knobs.ts';
import type { Policy } from '../../engine/gateway/policy.ts';

/** A `gatewayDecisions` message: the request after a decision, and the audit position of it. */
export interface GatewayDecisionMessage {
  /** Audit seq of the decision entry: pass as `after` to resume. */
  seq: number;
  request: GatewayRequestRecord;
}

/** The policy as loaded, with the last load failure (the previous good policy keeps running). */
export interface PolicyView {
  current(): Policy | null;
  lastError(): { message: string; problems: string[] } | null;
  reload(): Promise<{ ok: boolean; policy: Policy | null; problems: string[] }>;
}

/** What the gateway's resolvers need from the GraphQL context. */
export interface GatewayContext {
  gateway: GatewayService;
  audit: AuditLog;
  policyView: PolicyView;
  gatewayKnobs(): GatewayKnobs;
  projectRoot: string;
  /** Per request (its own EntityManager fork). */
  gatewayRequests: GatewayRequestStore;
}

export function originOf(ctx: { principal: { tokenId: string; name: string } | null; transport: 'http' | 'ws' }): AuditOrigin {
  return { tokenId: ctx.principal?.tokenId ?? null, tokenName: ctx.principal?.name ?? null, transport: ctx.transport };
}
