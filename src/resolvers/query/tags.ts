import { buildNavigatorLayer } from '../../engine/attack/navigator-layer.ts';
import { badInput, GatehouseError } from '../../engine/errors.ts';
import { isTimeIdKey, parsePageArgs, toConnection, type PageArgs } from '../../engine/pagination.ts';
import type { TagFilter } from '../../engine/tagging/tag-store.ts';
import type { Context } from '../context.ts';

const TECHNIQUE = /^T\d{4}(\.\d{3})?$/;
const TACTIC = /^TA\d{4}$/;

/** Checks a client's tag filter; live data only unless a run is named. */
export function parseTagFilter(filter: TagFilter | null | undefined): TagFilter {
  const f = { ...(filter ?? {}) };
  if (f.techniqueId && !TECHNIQUE.test(f.techniqueId)) throw badInput('filter.techniqueId', `must look like T1003 or T1003.008, got ${JSON.stringify(f.techniqueId)}`);
  if (f.tactic && !TACTIC.test(f.tactic)) throw badInput('filter.tactic', `must look like TA0006, got ${JSON.stringify(f.tactic)}`);
  if (f.minConfidence !== undefined && f.minConfidence !== null && !(f.minConfidence >= 0 && f.minConfidence <= 1)) {
    throw badInput('filter.minConfidence', `must be between 0 and 1, got ${f.minConfidence}`);
  }
  if (f.since && f.until && f.since.getTime() > f.until.getTime()) throw badInput('filter.until', 'must not be before filter.since');
  return { ...f, runId: f.runId ?? null };
}

export async function tags(args: PageArgs & { filter?: TagFilter | null }, ctx: Context) {
  const filter = parseTagFilter(args.filter);
  const page = parsePageArgs(args, { list: 'tags', filter, order: 'createdAt desc' }, isTimeIdKey);
  const [rows, total] = await Promise.all([ctx.tagStore.listTags(filter, page.after, page.limit), ctx.tagStore.countTags(filter)]);
  return toConnection(page, rows, (t) => [t.createdAt.toISOString(), t.id] as [string, string], total);
}

export function techniqueCounts(args: { filter?: TagFilter | null }, ctx: Context) {
  return ctx.tagStore.techniqueCounts(parseTagFilter(args.filter));
}

export async function navigatorLayer(args: { filter?: TagFilter | null; name?: string | null }, ctx: Context) {
  const filter = parseTagFilter(args.filter);
  const counts = await ctx.tagStore.techniqueCounts(filter);
  const name = args.name?.trim() || 'Gatehouse tags';
  return buildNavigatorLayer(counts, ctx.catalogue, { name, description: `Techniques tagged by Gatehouse; score = number of tags. Filter: ${JSON.stringify(filter)}` });
}

export function attackTechnique(args: { id: string }, ctx: Context) {
  if (!TECHNIQUE.test(args.id)) throw badInput('id', `must look like T1003 or T1003.008, got ${JSON.stringify(args.id)}`);
  const technique = ctx.catalogue.technique(args.id);
  if (!technique) throw new GatehouseError('NOT_FOUND', `${args.id} is not in ATT&CK ${ctx.catalogue.release}`, { type: 'AttackTechnique', id: args.id });
  return technique;
}
