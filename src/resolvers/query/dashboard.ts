import { badInput } from '../../engine/errors.ts';
import type { Context } from '../context.ts';

export const RECENT_LIMIT_MAX = 50;

export function dashboard(args: { recentLimit?: number | null }, ctx: Context) {
  const recentLimit = args.recentLimit ?? 10;
  if (!Number.isInteger(recentLimit) || recentLimit < 1 || recentLimit > RECENT_LIMIT_MAX) {
    throw badInput('recentLimit', `must be an integer from 1 to ${RECENT_LIMIT_MAX}, got ${recentLimit}`);
  }
  return ctx.dashboard.build(recentLimit);
}
