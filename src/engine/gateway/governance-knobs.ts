/**
 * The governance settings the gateway reads (issue #4 §5). Defaults come from config now; the
 * operator issue makes them editable with revisions.
 */
export const GOVERNANCE_MODES = ['enforce', 'shadow'] as const;
export type GovernanceMode = (typeof GOVERNANCE_MODES)[number];

export interface GatewayKnobs {
  /** `shadow` records would-be denials and allows; `enforce` denies. */
  mode: GovernanceMode;
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
  maxRequestsPerMinute: 120,
  blockedTactics: ['TA0002', 'TA0005', 'TA0010'],
  tagDenyThreshold: 0.7,
  approvalTtlSeconds: 900,
};
