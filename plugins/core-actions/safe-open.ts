import { constants, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { describeKind, errnoCode, fsError } from './fs-messages.ts';
import { assertStillSameEntry } from './path-identity.ts';

/**
 * Opening an existing entry the gateway checked, without following a symlink at the final component
 * (`O_NOFOLLOW`: the gateway passes the resolved real path, so a link there now is a swap after its
 * check) and then re-checking that the handle is the entry at that path (see `path-identity.ts`).
 * POSIX only: these flags are what make the open safe.
 */

/**
 * `O_NOFOLLOW`, or a refusal where the platform lacks it (Windows): there `constants.O_NOFOLLOW` is
 * undefined, which would OR to 0 and silently open through a symlink.
 */
export function noFollowFlag(action: string): number {
  const flag: number | undefined = constants.O_NOFOLLOW;
  if (flag === undefined) throw new Error(`${action}: this platform has no O_NOFOLLOW, so files cannot be opened safely`);
  return flag;
}

/** An open entry and its `fstat`. The caller closes `handle`. */
export interface OpenEntry {
  readonly handle: FileHandle;
  readonly stats: Stats;
}

/**
 * ELOOP and ENOTDIR from these flags mean different things per platform (Linux answers ENOTDIR for
 * `O_DIRECTORY | O_NOFOLLOW` on a symlink), so the entry itself says what it is.
 */
async function explainOpenFailure(action: string, target: string, err: unknown, expected: string): Promise<Error> {
  const code = errnoCode(err);
  if (code !== 'ELOOP' && code !== 'EMLINK' && code !== 'ENOTDIR') return fsError(action, target, err);
  const stats = await lstat(target).catch(() => null);
  if (stats?.isSymbolicLink()) return fsError(action, target, Object.assign(new Error('symlink'), { code: 'ELOOP' }));
  if (stats !== null) return new Error(`${action}: ${JSON.stringify(target)} is ${describeKind(stats)}, not ${expected}`);
  return fsError(action, target, err);
}

async function openChecked(action: string, target: string, flags: number, accept: (stats: Stats) => boolean, expected: string): Promise<OpenEntry> {
  let handle: FileHandle;
  try {
    handle = await open(target, flags);
  } catch (err) {
    throw await explainOpenFailure(action, target, err, expected);
  }
  try {
    const stats = await handle.stat();
    if (!accept(stats)) throw new Error(`${action}: ${JSON.stringify(target)} is ${describeKind(stats)}, not ${expected}`);
    await assertStillSameEntry(action, target, stats);
    return { handle, stats };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * Opens a regular file for reading. `O_NONBLOCK` makes opening a FIFO return at once (instead of
 * waiting for a writer), so the `fstat` check can refuse it; it changes nothing for regular files.
 */
export function openRegularFile(action: string, target: string): Promise<OpenEntry> {
  const flags = constants.O_RDONLY | noFollowFlag(action) | constants.O_NONBLOCK;
  return openChecked(action, target, flags, (s) => s.isFile(), 'a regular file');
}

/** Opens a directory (held open while it is listed, so the identity check after listing is meaningful). */
export function openDirectory(action: string, target: string): Promise<OpenEntry> {
  const flags = constants.O_RDONLY | noFollowFlag(action) | constants.O_DIRECTORY;
  return openChecked(action, target, flags, (s) => s.isDirectory(), 'a directory');
}
