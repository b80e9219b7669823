/**
 * Governance (DESIGN §8, issue #5 §8): the operator-editable knobs that the gateway, the tagger and
 * replay runs read. Every accepted change makes a new revision (compare-and-set on the revision
 * number), is audited and published, and applies to new requests and new runs; a run keeps the
 * snapshot it started with.
 */

export const GOVERNANCE_MODES = ['enforce', 'shadow'] as const;
export type GovernanceMode = (typeof GOVERNANCE_MODES)[number];

/** `execute`: approved actions run; `dry_run`: they are decided and audited but change nothing. */
export const ACTION_MODES = ['execute', 'dry_run'] as const;
export type ActionMode = (typeof ACTION_MODES)[number];

export interface GovernanceBudgets {
  /** Most gateway requests one agent may make in any 60 s. */
  maxRequestsPerMinute: number;
  /** Most steps one replay run may have; a larger run is refused at start. */
  maxEventsPerRun: number;
}

export interface GovernanceSettings {
  /** `shadow` records would-be denials and allows; `enforce` denies. */
  mode: GovernanceMode;
  actionMode: ActionMode;
  budgets: GovernanceBudgets;
  /** Tags below this confidence are dropped. */
  confidenceFloor: number;
  /** Tactic ids (TA0002…) whose tags on a gateway request deny it… */
  blockedTactics: string[];
  /** …when the tag's confidence is at least this. */
  tagDenyThreshold: number;
  /** How long a request waits for an approval before it is denied `approval_expired`. */
  approvalTtlSeconds: number;
}

/** A partial change: what `updateGovernance` and presets carry. Budgets merge field by field. */
export interface GovernancePatch extends Partial<Omit<GovernanceSettings, 'budgets'>> {
  budgets?: Partial<GovernanceBudgets>;
}

/** One revision as stored. Revision 0 is the configured defaults, before any change. */
export interface GovernanceRevision {
  revision: number;
  /** Every field, after the change. */
  settings: GovernanceSettings;
  /** What the change set (for history readers). */
  change: GovernancePatch;
  updatedAt: Date;
  updatedBy: string | null;
  reason: string | null;
}

/** A named patch that scenarios reference (`governance_preset`). */
export interface GovernancePreset {
  name: string;
  description: string;
  patch: GovernancePatch;
  /** `built-in` or the file it came from. */
  source: string;
}

/** Applies a patch; budgets merge field by field, lists are replaced. */
export function applyGovernancePatch(settings: GovernanceSettings, patch: GovernancePatch): GovernanceSettings {
  const { budgets, ...rest } = patch;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const definedBudgets = Object.fromEntries(Object.entries(budgets ?? {}).filter(([, v]) => v !== undefined));
  return { ...settings, ...defined, budgets: { ...settings.budgets, ...definedBudgets } };
}
