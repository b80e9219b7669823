/**
 * Gateway decisions (DESIGN §7, issue #4 §2). Every way a request can fail ends in a denial with a
 * code from this closed set and a message; nothing fails open.
 */
export const DENIAL_CODES = [
  'identity_mismatch',
  'spec_not_found',
  'spec_not_active',
  'role_not_authorized',
  'action_not_allowed',
  'unknown_action',
  'invalid_params',
  'path_outside_root',
  'path_outside_jurisdiction',
  'path_protected',
  'budget_exceeded',
  'blocked_by_detection',
  'approval_rejected',
  'approval_expired',
  'policy_unavailable',
  'audit_unavailable',
  'handler_failed',
] as const;
export type DenialCode = (typeof DENIAL_CODES)[number];

export interface Denial {
  code: DenialCode;
  message: string;
}

export const REQUEST_STATUSES = ['APPROVED', 'DENIED', 'PENDING_APPROVAL'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** What an agent asks for (GraphQL `submitRequest`, HTTP `POST /request`). */
export interface GatewayRequestInput {
  agent: string;
  role: string;
  specId: string;
  action: string;
  params: unknown;
  rationale?: string | null;
  idempotencyKey?: string | null;
  /** Decide and describe, change nothing (replays always run this way). */
  dryRun?: boolean | null;
}

export function deny(code: DenialCode, message: string): Denial {
  return { code, message };
}
