import { parsePageArgs, toConnection, type PageArgs } from '../../engine/pagination.ts';
import type { GovernanceRevision } from '../../engine/governance/governance.ts';
import { parseGovernancePatch } from '../../engine/governance/governance-patch-schema.ts';
import type { Context } from '../context.ts';

/** The current governance revision (the schema adds its policySetHash). */
export function governance(_args: unknown, ctx: Context): GovernanceRevision {
  return ctx.governance.current();
}

const isRevisionKey = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** Every revision, newest first; revision 0 (the configured defaults) is the last. */
export async function governanceHistory(args: PageArgs, ctx: Context) {
  const page = parsePageArgs(args, { list: 'governanceHistory', order: 'revision desc' }, isRevisionKey);
  const [rows, total] = await Promise.all([ctx.governance.history(page.after, page.limit + 1), ctx.governance.historyCount()]);
  return toConnection(page, rows, (r: GovernanceRevision) => r.revision, total);
}

/** Compare-and-set on the revision (issue #5 §8): a stale `expectedRevision` is a `revision_conflict` user error. */
export async function updateGovernance(args: { input: Record<string, unknown> & { expectedRevision: number; reason?: string | null } }, ctx: Context) {
  const { expectedRevision, reason, ...fields } = args.input;
  const given = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null));
  if (given.budgets && typeof given.budgets === 'object') given.budgets = Object.fromEntries(Object.entries(given.budgets).filter(([, v]) => v !== undefined && v !== null));
  const patch = parseGovernancePatch(given, (id) => ctx.catalogue.tactic(id) !== undefined);
  const revision = await ctx.governance.update({ expectedRevision, patch, reason: reason ?? null }, ctx.principal?.name ?? null);
  ctx.log.info({ revision: revision.revision, fields: Object.keys(patch) }, 'governance updated');
  return { governance: revision };
}

export async function* governanceChanged(_args: unknown, ctx: Context): AsyncGenerator<GovernanceRevision> {
  const live = ctx.bus.subscribe('governanceChanged', { signal: ctx.signal });
  try {
    for await (const revision of live) yield revision;
  } finally {
    await live.return?.();
  }
}
