import type { LifterRule } from '../../src/plugins/api.ts';

/**
 * State kept per owned rule: two rules of one kind (say, ssh with threshold 10 and http-basic with
 * threshold 50) must count separately, so each rule gets its own windows.
 *
 * When a rule is reloaded with another version or other parameters, its state starts afresh: a
 * window sized for the old parameters would give answers the new rule never asked for. Rules are
 * few (bounded by the rule pack), so this map needs no eviction.
 *
 * credential-lifter and session-lifter keep identical copies (see params.ts for why).
 */
export interface PerRuleState<Params, State> {
  /** The state for `rule`, created on first use or when the rule's version or parameters changed. */
  forRule(rule: LifterRule<Params>): State;
}

/** Creates per-rule state with `build`, called with the rule's parsed parameters. */
export function createPerRuleState<Params, State>(build: (params: Params) => State): PerRuleState<Params, State> {
  const states = new Map<string, { signature: string; state: State }>();
  return {
    forRule(rule) {
      const signature = `${rule.ruleVersion}:${JSON.stringify(rule.params)}`;
      const existing = states.get(rule.ruleId);
      if (existing?.signature === signature) return existing.state;
      const state = build(rule.params);
      states.set(rule.ruleId, { signature, state });
      return state;
    },
  };
}
