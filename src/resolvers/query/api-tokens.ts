import type { ApiTokenFilter } from '../../engine/auth/api-token.ts';
import { isTimeIdKey, parsePageArgs, toConnection, type PageArgs } from '../../engine/pagination.ts';
import type { Context } from '../context.ts';

export async function apiTokens(args: PageArgs & { filter?: ApiTokenFilter | null }, ctx: Context) {
  const filter: ApiTokenFilter = { role: args.filter?.role ?? null, includeRevoked: args.filter?.includeRevoked ?? false };
  const page = parsePageArgs(args, { list: 'apiTokens', filter, order: 'createdAt desc' }, isTimeIdKey);
  const [rows, total] = await Promise.all([ctx.tokenStore.list(filter, page.after, page.limit), ctx.tokenStore.count(filter)]);
  return toConnection(page, rows, (t) => [t.createdAt.toISOString(), t.id] as [string, string], total);
}

export function apiToken(id: string, ctx: Context) {
  return ctx.tokenStore.findById(id);
}
