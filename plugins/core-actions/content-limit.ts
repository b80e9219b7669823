import type { ActionContext } from '../../src/plugins/api.ts';

/**
 * The content cap (issue: "Content is capped (1 MiB default)"). The gateway chooses the limit and
 * passes it as `ctx.maxContentBytes`; every handler measures content in UTF-8 bytes, never in
 * characters, because bytes are what reach the disk and the audit log.
 */

/** `ctx.maxContentBytes`, refused unless it is a positive integer: no limit must never mean "unlimited". */
export function contentLimitOf(action: string, ctx: ActionContext): number {
  const limit = ctx.maxContentBytes;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new Error(`${action}: the gateway's content limit must be a positive integer number of bytes, got ${JSON.stringify(limit)}`);
  }
  return limit;
}

/** Throws when `bytes` exceeds `limit`; `what` names the content, e.g. `'content'` or `the patched file`. */
export function checkContentSize(action: string, what: string, bytes: number, limit: number): void {
  if (bytes > limit) throw new Error(`${action}: ${what} is ${bytes} bytes, over the ${limit}-byte content limit`);
}
