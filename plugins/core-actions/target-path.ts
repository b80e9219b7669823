import path from 'node:path';
import type { ActionContext } from '../../src/plugins/api.ts';

/**
 * Defence in depth for the paths the gateway hands over (DESIGN §7, §10). The gateway has already
 * canonicalised `ctx.targetPath` and checked it against the root, the spec, the jurisdiction and the
 * protected paths; a handler acts on exactly that path and never re-resolves the agent's `path`
 * param. This module refuses anything that cannot be such a path, so a gateway bug cannot turn into
 * a write outside the project: a relative or non-normalised path, a NUL, or a path outside the root
 * by whole components (`/proj-evil` is not inside `/proj`, the defect DESIGN §10 names).
 */

/** The `what` of a path that is absolute, NUL-free and already in normal form (no `.`, `..`, `//`, trailing `/`). */
function checkAbsolute(action: string, what: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${action}: the ${what} must be a non-empty string, got ${JSON.stringify(value)}`);
  if (value.includes('\u0000')) throw new Error(`${action}: the ${what} must not contain a NUL character, got ${JSON.stringify(value)}`);
  if (!path.isAbsolute(value)) throw new Error(`${action}: the ${what} must be absolute, got ${JSON.stringify(value)}`);
  if (path.resolve(value) !== value) throw new Error(`${action}: the ${what} must be in normal form (no '.', '..', repeated or trailing separators), got ${JSON.stringify(value)}`);
  return value;
}

/** True when `target` is `root` or lies below it, compared by whole path components. Both must be normalised. */
export function isInside(root: string, target: string): boolean {
  if (target === root) return true;
  const prefix = root.endsWith(path.sep) ? root : `${root}${path.sep}`;
  return target.startsWith(prefix);
}

/**
 * The target path to act on: `ctx.targetPath`, after checking that it and `ctx.projectRoot` are
 * absolute, normalised and NUL-free and that the target is the root or inside it. Throws otherwise.
 */
export function requireTargetPath(action: string, ctx: ActionContext): string {
  const root = checkAbsolute(action, 'project root', ctx.projectRoot);
  if (ctx.targetPath === null) throw new Error(`${action}: the gateway gave no target path, but this action acts on a path`);
  const target = checkAbsolute(action, 'target path', ctx.targetPath);
  if (!isInside(root, target)) throw new Error(`${action}: the target path ${JSON.stringify(target)} is outside the project root ${JSON.stringify(root)}`);
  return target;
}
