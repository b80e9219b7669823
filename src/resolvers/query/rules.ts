import { badInput } from '../../engine/errors.ts';
import { isStringKey, pageOfSorted, parsePageArgs, type PageArgs } from '../../engine/pagination.ts';
import type { RuleEntry } from '../../engine/tagging/rule-registry.ts';
import { RULE_STATES, type RuleStateName } from '../../engine/tagging/rule-state.ts';
import type { Context } from '../context.ts';

export interface RuleFilter {
  sourceKind?: string | null;
  /** Effective state. */
  state?: RuleStateName | null;
  /** `engine` or a lifter id. */
  owner?: string | null;
}

export function rules(args: PageArgs & { filter?: RuleFilter | null }, ctx: Context) {
  const filter = args.filter ?? {};
  if (filter.state && !RULE_STATES.includes(filter.state)) throw badInput('filter.state', `must be one of ${RULE_STATES.join(', ')}`);
  const page = parsePageArgs(args, { list: 'rules', filter, order: 'ruleId' }, isStringKey);
  const matching = ctx.rules
    .entries()
    .filter(
      (e) =>
        (!filter.sourceKind || e.rule.appliesTo.includes(filter.sourceKind)) &&
        (!filter.owner || e.owner === filter.owner) &&
        (!filter.state || ctx.ruleStates.effective(e.rule.ruleId).state === filter.state),
    )
    .sort((a, b) => (a.rule.ruleId < b.rule.ruleId ? -1 : 1));
  return pageOfSorted(page, matching, (e: RuleEntry) => e.rule.ruleId);
}

export function rule(args: { ruleId: string }, ctx: Context): RuleEntry | null {
  return ctx.rules.entry(args.ruleId) ?? null;
}
