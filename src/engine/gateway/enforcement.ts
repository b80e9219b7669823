import type { Denial, RequestStatus } from './decision.ts';
import type { GovernanceMode } from './governance-knobs.ts';

/**
 * Applies the governance mode to a check outcome — the only place modes matter (issue #4 §5: the
 * enforcement code path is the same in every mode). `enforce` denies with the first failed check.
 * `shadow` denies only hard failures (identity, no policy, unknown action, invalid params, root
 * escape — allowing those would not test a policy, it would switch off the gateway) and otherwise
 * allows, recording the first policy failure as the would-be denial; approval rules still apply.
 * Infrastructure failures (`audit_unavailable`) are passed in as hard denials by the caller.
 */
export interface Enforced {
  status: RequestStatus;
  denial: Denial | null;
  /** A denial shadow mode recorded but did not enforce. */
  shadowDenial: Denial | null;
}

export function enforce(outcome: { denial: Denial | null; hardDenial: Denial | null }, needsApproval: boolean, mode: GovernanceMode): Enforced {
  const { denial, hardDenial } = outcome;
  if (hardDenial) return { status: 'DENIED', denial: mode === 'enforce' ? (denial ?? hardDenial) : hardDenial, shadowDenial: null };
  if (denial && mode === 'enforce') return { status: 'DENIED', denial, shadowDenial: null };
  return { status: needsApproval ? 'PENDING_APPROVAL' : 'APPROVED', denial: null, shadowDenial: denial };
}
