import { randomBytes } from 'node:crypto';
import { constants, lstatSync, type Stats } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { describeKind, errnoCode, fsError } from './fs-messages.ts';
import { createParents, findMissingParents } from './parent-dirs.ts';
import { assertParentUnchanged, assertStillSameEntry } from './path-identity.ts';
import { noFollowFlag } from './safe-open.ts';

/**
 * Atomic replacement of a file's content (issue: "Writes go to a temp file in the same directory and
 * are renamed into place without following a symlink at the final component").
 *
 * A reader sees the old content or the new, never a mix, and a crash leaves the old file whole: the
 * bytes go to a fresh temp file beside the target (same filesystem, so `rename` is atomic), are
 * fsynced, and the temp file is renamed over the target. `rename` replaces a symlink at the final
 * component instead of writing through it; we also refuse one outright (the gateway resolved every
 * link, so one appearing now is a race). The temp file is removed on any failure. Callers serialise
 * writes to one path (see `path-queue.ts`); this module does not.
 */

/** Mode of a new file (before the umask); an existing file keeps its permission bits. */
const NEW_FILE_MODE = 0o644;
/** Temp files start with this, so a leftover from a crash is recognisable. */
export const TEMP_FILE_PREFIX = '.gatehouse-';

/** What a write to one path would do, found without changing anything (the dry run stops here). */
export interface WritePlan {
  /** True when the target does not exist yet. */
  readonly created: boolean;
  /** Permission bits to keep (the existing file's), or null for a new file. */
  readonly mode: number | null;
  /** Directories to create first, outermost first; empty unless `create_dirs` was given. */
  readonly missingDirs: readonly string[];
}

/** The target's `lstat`, or null when it does not exist; throws unless it is a regular file. Synchronous, as in path-identity.ts. */
function inspectTarget(action: string, target: string): Stats | null {
  let stats: Stats | undefined;
  try {
    stats = lstatSync(target, { throwIfNoEntry: false });
  } catch (err) {
    throw fsError(action, target, err);
  }
  if (stats === undefined) return null;
  if (stats.isSymbolicLink()) {
    throw new Error(`${action}: ${JSON.stringify(target)} is a symbolic link; the gateway passes resolved paths, so it was replaced after the check and is not written through`);
  }
  if (!stats.isFile()) throw new Error(`${action}: ${JSON.stringify(target)} is ${describeKind(stats)}, not a regular file`);
  return stats;
}

/** Checks everything a write to `target` needs, creating nothing. `target` must be inside `root`. */
export function planWrite(action: string, target: string, root: string, createDirs: boolean): WritePlan {
  const existing = inspectTarget(action, target);
  const missingDirs = findMissingParents(action, target, root);
  if (missingDirs.length > 0 && !createDirs) {
    throw new Error(`${action}: directory ${JSON.stringify(path.dirname(target))} does not exist; pass create_dirs: true to create it`);
  }
  return { created: existing === null, mode: existing === null ? null : existing.mode & 0o777, missingDirs };
}

/** Replaces (or creates) `target` with `data`, atomically. Returns whether the file was created. */
export async function writeAtomically(action: string, target: string, root: string, data: Uint8Array, options: { createDirs: boolean }): Promise<{ created: boolean }> {
  const plan = planWrite(action, target, root, options.createDirs);
  await createParents(action, plan.missingDirs);
  const tempPath = path.join(path.dirname(target), `${TEMP_FILE_PREFIX}${randomBytes(8).toString('hex')}.tmp`);
  let handle: FileHandle | null = null;
  let tempExists = false;
  try {
    // O_EXCL: a fresh file, never an existing one or a symlink planted under the random name.
    handle = await open(tempPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | noFollowFlag(action), NEW_FILE_MODE);
    tempExists = true;
    // The temp file must sit in the directory the gateway checked (no parent swapped meanwhile).
    assertStillSameEntry(action, tempPath, await handle.stat());
    if (plan.mode !== null) await handle.chmod(plan.mode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = null;
    // Last look before the rename: a directory or symlink that appeared since the plan is refused.
    const created = inspectTarget(action, target) === null;
    assertParentUnchanged(action, target);
    await rename(tempPath, target);
    tempExists = false;
    return { created };
  } catch (err) {
    // Cleanup must not hide the failure that caused it, so its own errors are dropped.
    await handle?.close().catch(() => undefined);
    if (tempExists) await unlink(tempPath).catch(() => undefined);
    throw errnoCode(err) === undefined ? err : fsError(action, target, err);
  }
}
