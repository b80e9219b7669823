/**
 * Operator-set rule state (DESIGN §6). A rule is `enabled` unless a state says otherwise; `clipped`
 * fires with confidence `min(base, confidenceMax)`; a state with `expiresAt` in the past no longer
 * applies — the rule reverts to enabled (it is never silenced by an expiry).
 */
export const RULE_STATES = ['enabled', 'disabled', 'clipped'] as const;
export type RuleStateName = (typeof RULE_STATES)[number];

export interface RuleState {
  ruleId: string;
  state: RuleStateName;
  confidenceMax: number | null;
  expiresAt: Date | null;
  reason: string | null;
  setBy: string | null;
  setAt: Date;
}

export interface EffectiveRuleState {
  state: RuleStateName;
  confidenceMax: number | null;
}

const ENABLED: EffectiveRuleState = { state: 'enabled', confidenceMax: null };

export function effectiveRuleState(stored: RuleState | undefined, now: Date): EffectiveRuleState {
  if (!stored || (stored.expiresAt !== null && stored.expiresAt.getTime() <= now.getTime())) return ENABLED;
  return { state: stored.state, confidenceMax: stored.state === 'clipped' ? stored.confidenceMax : null };
}

/** What the engine asks about a rule's state, once per rule per event. */
export interface RuleStateLookup {
  effective(ruleId: string): EffectiveRuleState;
}
