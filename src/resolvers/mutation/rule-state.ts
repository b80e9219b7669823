import { GatehouseError } from '../../engine/errors.ts';
import type { SetRuleStateInput } from '../../engine/tagging/rule-state-service.ts';
import type { Context } from '../context.ts';

function requireRule(ruleId: string, ctx: Context) {
  const entry = ctx.rules.entry(ruleId);
  if (!entry) throw new GatehouseError('NOT_FOUND', `no rule with id ${JSON.stringify(ruleId)} is loaded`, { type: 'Rule', id: ruleId });
  return entry;
}

export async function setRuleState(args: { input: SetRuleStateInput }, ctx: Context) {
  const entry = requireRule(args.input.ruleId, ctx);
  await ctx.ruleStates.set(args.input, ctx.principal?.name ?? null);
  ctx.log.info({ ruleId: entry.rule.ruleId, state: args.input.state, reason: args.input.reason ?? null }, 'rule state set');
  return { rule: entry };
}

export async function clearRuleState(args: { input: { ruleId: string } }, ctx: Context) {
  const entry = requireRule(args.input.ruleId, ctx);
  await ctx.ruleStates.clear(args.input.ruleId, ctx.principal?.name ?? null);
  ctx.log.info({ ruleId: entry.rule.ruleId }, 'rule state cleared');
  return { rule: entry };
}

export async function reloadRules(_args: unknown, ctx: Context) {
  const report = await ctx.reloadRules();
  ctx.log.info({ loaded: report.loaded, errors: report.errors.length }, 'rules reloaded');
  return report;
}
