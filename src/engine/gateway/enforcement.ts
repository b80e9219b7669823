import type { Denial, DenialCode, RequestStatus } from './decision.ts';
import type { GovernanceMode } from './governance-knobs.ts';

/**
 * Applies the governance mode to a check outcome — the only place modes matter (issue #4 §5: the
 * enforcement code path is the same in every mode). In `shadow`, policy denials are recorded as
 * would-be denials and the request is allowed; identity, root escape, bad input, a missing policy and
 * infrastructure failures are never shadowed, because allowing them would not test a policy — it would
 * switch off the gateway.
 */
const NEVER_SHADOWED: ReadonlySet<DenialCode> = new Set<DenialCode>([
  'identity_mismatch',
  'policy_unavailable',
  'unknown_action',
  'invalid_params',
  'path_outside_root',
  'audit_unavailable',
  'handler_failed',
  'approval_rejected',
  'approval_expired',
]);

export interface Enforced {
  status: RequestStatus;
  denial: Denial | null;
  /** A denial shadow mode recorded but did not enforce. */
  shadowDenial: Denial | null;
}

export function enforce(denial: Denial | null, needsApproval: boolean, mode: GovernanceMode): Enforced {
  if (denial && (mode === 'enforce' || NEVER_SHADOWED.has(denial.code))) return { status: 'DENIED', denial, shadowDenial: null };
  const shadowDenial = denial;
  return { status: needsApproval ? 'PENDING_APPROVAL' : 'APPROVED', denial: null, shadowDenial };
}
