import { lstatSync, type Stats } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describeKind, errnoCode, fsError } from './fs-messages.ts';
import { assertResolvesToItself } from './path-identity.ts';

/**
 * The directories a write needs (`create_dirs`). `mkdir -p` would follow a symlink on the way and
 * could create directories outside the project, so directories are found and made one component at
 * a time: each existing one must be a real directory (not a symlink) that resolves to itself, and
 * each new one is made with a plain `mkdir`, which never follows a symlink at its final component.
 * The checks are synchronous, as in path-identity.ts.
 */

function lstatOrNull(action: string, p: string): Stats | null {
  try {
    return lstatSync(p, { throwIfNoEntry: false }) ?? null;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw fsError(action, p, err);
  }
}

function checkDirectory(action: string, dir: string, stats: Stats): void {
  if (stats.isSymbolicLink()) {
    throw new Error(`${action}: directory ${JSON.stringify(dir)} is a symbolic link; the gateway passes resolved paths, so it was replaced after the check and is refused`);
  }
  if (!stats.isDirectory()) throw new Error(`${action}: ${JSON.stringify(dir)} is ${describeKind(stats)}, not a directory`);
}

/**
 * The directories between `root` and the parent of `target` that do not exist yet, outermost first
 * (empty when the parent exists). Checks the nearest existing one is a real directory that resolves
 * to itself. Creates nothing. `target` must be inside `root` (see `target-path.ts`).
 */
export function findMissingParents(action: string, target: string, root: string): string[] {
  if (target === root) throw new Error(`${action}: the target is the project root ${JSON.stringify(root)} itself, which is a directory`);
  const missing: string[] = [];
  let dir = path.dirname(target);
  for (;;) {
    const stats = lstatOrNull(action, dir);
    if (stats !== null) {
      checkDirectory(action, dir, stats);
      assertResolvesToItself(action, dir);
      return missing;
    }
    if (dir === root) throw new Error(`${action}: the project root ${JSON.stringify(root)} does not exist`);
    missing.unshift(dir);
    dir = path.dirname(dir);
  }
}

/** Creates `dirs` (outermost first, as `findMissingParents` returns them) one at a time, mode 0o755. */
export async function createParents(action: string, dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) {
    try {
      await mkdir(dir, { mode: 0o755 });
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw fsError(action, dir, err);
      // Made meanwhile by someone else: fine if it is a real directory.
      checkDirectory(action, dir, lstatSync(dir));
    }
    assertResolvesToItself(action, dir);
  }
}
