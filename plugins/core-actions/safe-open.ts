import { closeSync, constants, fstatSync, lstatSync, openSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
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
function explainOpenFailure(action: string, target: string, err: unknown, expected: string): Error {
  const code = errnoCode(err);
  if (code !== 'ELOOP' && code !== 'EMLINK' && code !== 'ENOTDIR') return fsError(action, target, err);
  const stats = (() => {
    try {
      return lstatSync(target);
    } catch {
      return null;
    }
  })();
  if (stats?.isSymbolicLink()) return fsError(action, target, Object.assign(new Error('symlink'), { code: 'ELOOP' }));
  if (stats !== null) return new Error(`${action}: ${JSON.stringify(target)} is ${describeKind(stats)}, not ${expected}`);
  return fsError(action, target, err);
}

async function openChecked(action: string, target: string, flags: number, accept: (stats: Stats) => boolean, expected: string): Promise<OpenEntry> {
  let handle: FileHandle;
  try {
    handle = await open(target, flags);
  } catch (err) {
    throw explainOpenFailure(action, target, err, expected);
  }
  try {
    const stats = await handle.stat();
    if (!accept(stats)) throw new Error(`${action}: ${JSON.stringify(target)} is ${describeKind(stats)}, not ${expected}`);
    assertStillSameEntry(action, target, stats);
    return { handle, stats };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

const readFlags = (action: string) => constants.O_RDONLY | noFollowFlag(action) | constants.O_NONBLOCK;

/**
 * A path check cannot see hard links: a second name for a file, made inside the project, reads the
 * file wherever its other names are — outside the project root, or behind a protected path or
 * another role's jurisdiction — and a patch would tell whether a string occurs in it. The content of
 * a regular file with more than one link is therefore never read. Writes and deletes need no such
 * check: `rename` replaces the link with a new file and `unlink` removes the one name only.
 */
function assertSingleLink(action: string, target: string, stats: Stats): void {
  if (stats.nlink <= 1) return;
  throw new Error(
    `${action}: ${JSON.stringify(target)} has ${stats.nlink} hard links; a file with another name may lie outside the project or behind a protected path, so its content is not read`,
  );
}

/** An open file descriptor and its `fstat`. The caller closes `fd` (`closeSync`). */
export interface OpenDescriptor {
  readonly fd: number;
  readonly stats: Stats;
}

/**
 * Opens a regular file for reading, synchronously: the file is read and closed before the handler
 * returns, and on a local disk the calls take less time than the round trips to libuv's thread pool
 * their asynchronous forms would (see path-identity.ts). `O_NONBLOCK` makes opening a FIFO return at
 * once (instead of waiting for a writer), so the `fstat` check can refuse it; it changes nothing for
 * regular files.
 */
export function openRegularFile(action: string, target: string): OpenDescriptor {
  let fd: number;
  try {
    fd = openSync(target, readFlags(action));
  } catch (err) {
    throw explainOpenFailure(action, target, err, 'a regular file');
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new Error(`${action}: ${JSON.stringify(target)} is ${describeKind(stats)}, not a regular file`);
    assertSingleLink(action, target, stats);
    assertStillSameEntry(action, target, stats);
    return { fd, stats };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Opens a directory (held open while it is listed, so the identity check after listing is meaningful). */
export function openDirectory(action: string, target: string): Promise<OpenEntry> {
  const flags = constants.O_RDONLY | noFollowFlag(action) | constants.O_DIRECTORY;
  return openChecked(action, target, flags, (s) => s.isDirectory(), 'a directory');
}
