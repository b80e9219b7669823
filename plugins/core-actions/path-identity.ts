import { lstatSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';
import { fsError } from './fs-messages.ts';

/**
 * Re-checks after opening (issue: "the target is re-checked after opening (no check-then-write
 * race)"). The gateway checked a canonical path; between its check and our `open`, a directory on the
 * way could have been swapped for a symlink to somewhere else (outside the root, or inside it but
 * outside the agent's jurisdiction). `O_NOFOLLOW` only guards the final component, so after opening
 * we confirm that the parent directory still resolves to itself and that the entry at the path is
 * the very file we hold open (same device and inode). Then what we read or write is what was checked.
 *
 * Node has no `openat`/`renameat`, so a swap *after* these checks and before a later path-based call
 * remains possible in principle; every such call (`rename`, `unlink`) acts on the final component
 * without following it, which bounds the damage to the directory that was checked.
 *
 * The checks are synchronous, like the gateway's own path resolution (canonical-path.ts): `realpath`
 * and `lstat` of a local path take microseconds, while each asynchronous call is a round trip to
 * libuv's thread pool and back that costs more CPU than the call and waits for the event loop.
 */

/** Throws unless the canonical directory `dir` still resolves to exactly `dir` (no symlink on the way). */
export function assertResolvesToItself(action: string, dir: string): void {
  let real: string;
  try {
    real = realpathSync.native(dir);
  } catch (err) {
    throw fsError(action, dir, err);
  }
  if (real !== dir) {
    throw new Error(`${action}: directory ${JSON.stringify(dir)} now resolves to ${JSON.stringify(real)}; it changed after the gateway checked the path, so the action is refused`);
  }
}

/** Throws unless the parent directory of `target` still resolves to itself. */
export function assertParentUnchanged(action: string, target: string): void {
  assertResolvesToItself(action, path.dirname(target));
}

/**
 * Throws unless the parent of `target` still resolves to itself and the entry at `target` is the one
 * described by `opened` (the `fstat` of a handle we hold).
 */
export function assertStillSameEntry(action: string, target: string, opened: Stats): void {
  assertParentUnchanged(action, target);
  let now: Stats | null;
  try {
    now = lstatSync(target, { throwIfNoEntry: false }) ?? null;
  } catch (err) {
    throw fsError(action, target, err);
  }
  if (now === null || now.dev !== opened.dev || now.ino !== opened.ino) {
    throw new Error(`${action}: ${JSON.stringify(target)} was replaced while it was being opened, so the action is refused`);
  }
}
