import type { Denial, RequestStatus } from './decision.ts';

/** Where an approved action stands: written before the handler runs, so a crash leaves a trace. */
export const EXECUTION_STATES = ['not_run', 'running', 'completed', 'failed', 'interrupted'] as const;
export type ExecutionState = (typeof EXECUTION_STATES)[number];

/** A request as stored and returned by `submitRequest`, `gatewayRequests` and `POST /request`. */
export interface GatewayRequestRecord {
  requestId: string;
  agent: string;
  role: string;
  specId: string;
  /** Canonical action kind (aliases resolved) when known. */
  action: string;
  params: unknown;
  rationale: string | null;
  status: RequestStatus;
  reason: Denial | null;
  /** What shadow mode would have denied. */
  shadowReason: Denial | null;
  execution: ExecutionState;
  result: Record<string, unknown> | null;
  /** Id of the audit entry that recorded the (latest) decision. */
  auditEventId: string | null;
  /** Chain position of that entry: the `gatewayDecisions` cursor. */
  auditSeq: number | null;
  tagIds: string[];
  targetPath: string | null;
  dryRun: boolean;
  createdAt: Date;
  decidedAt: Date | null;
  /** For PENDING_APPROVAL: when it is denied `approval_expired`. */
  expiresAt: Date | null;
  approvalRule: string | null;
  approval: { approve: boolean; by: string | null; reason: string | null; at: Date } | null;
  tokenId: string | null;
  runId: string | null;
}

export interface GatewayRequestFilter {
  agent?: string | null;
  role?: string | null;
  specId?: string | null;
  action?: string | null;
  status?: RequestStatus | null;
  since?: Date | null;
  until?: Date | null;
  runId?: string | null;
}

/** Storage for gateway requests; implemented in src/persistence/. */
export interface GatewayRequestStore {
  insert(record: GatewayRequestRecord): Promise<void>;
  update(record: GatewayRequestRecord): Promise<void>;
  get(requestId: string): Promise<GatewayRequestRecord | null>;
  /** Newest first by (createdAt, requestId). */
  list(filter: GatewayRequestFilter, after: [string, string] | null, limit: number): Promise<GatewayRequestRecord[]>;
  count(filter: GatewayRequestFilter): Promise<number>;
  /** Pending requests (live), oldest first. */
  pending(): Promise<GatewayRequestRecord[]>;
  /** Approved requests whose handler was running when the process stopped. */
  running(): Promise<GatewayRequestRecord[]>;
  countByStatusSince(since: Date): Promise<Record<RequestStatus, number>>;
}
