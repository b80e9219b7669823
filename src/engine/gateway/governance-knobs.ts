import type { ActionMode, GovernanceMode, GovernanceSettings } from '../governance/governance.ts';

export { GOVERNANCE_MODES, type GovernanceMode } from '../governance/governance.ts';

/**
 * The governance settings the gateway reads (issue #4 §5), taken from the current governance revision
 * for live requests and from the frozen snapshot for replay runs (issue #5 §8).
 */
export interface GatewayKnobs {
  /** `shadow` records would-be denials and allows; `enforce` denies. */
  mode: GovernanceMode;
  /** `dry_run`: every approved request is decided and audited but its handler changes nothing. */
  actionMode: ActionMode;
  /** Most requests one agent may make in any 60 s. */
  maxRequestsPerMinute: number;
  /** Tactic ids (TA0002…) whose tags on a request deny it… */
  blockedTactics: string[];
  /** …when the tag's confidence is at least this. */
  tagDenyThreshold: number;
  /** How long a request waits for an approval before it is denied `approval_expired`. */
  approvalTtlSeconds: number;
}

export const DEFAULT_GATEWAY_KNOBS: GatewayKnobs = {
  mode: 'enforce',
  actionMode: 'execute',
  maxRequestsPerMinute: 120,
  blockedTactics: ['TA0002', 'TA0005', 'TA0010'],
  tagDenyThreshold: 0.7,
  approvalTtlSeconds: 900,
};

/** The gateway's view of a governance revision. */
export function toGatewayKnobs(settings: GovernanceSettings): GatewayKnobs {
  return {
    mode: settings.mode,
    actionMode: settings.actionMode,
    maxRequestsPerMinute: settings.budgets.maxRequestsPerMinute,
    blockedTactics: settings.blockedTactics,
    tagDenyThreshold: settings.tagDenyThreshold,
    approvalTtlSeconds: settings.approvalTtlSeconds,
  };
}
