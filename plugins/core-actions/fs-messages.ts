import type { Stats } from 'node:fs';

/**
 * How the handlers describe filesystem facts and failures in the Errors they throw (the gateway turns
 * them into `handler_failed` results the agent reads): name the path, say what it is, and what to do.
 */

/** The errno code of a Node filesystem error (`ENOENT`), or undefined for anything else. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** What a non-regular entry is, for "... is a directory, not a regular file". */
export function describeKind(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * An Error for a failed filesystem call on `target`. ELOOP from an `O_NOFOLLOW` open means the final
 * component is a symlink: the gateway passes resolved paths, so one appearing now was swapped in after
 * the gateway's check.
 */
export function fsError(action: string, target: string, err: unknown): Error {
  const where = JSON.stringify(target);
  switch (errnoCode(err)) {
    case 'ENOENT':
      return new Error(`${action}: ${where} does not exist`);
    case 'ELOOP':
    case 'EMLINK': // FreeBSD's errno for O_NOFOLLOW on a symlink
      return new Error(`${action}: ${where} is a symbolic link; the gateway passes resolved paths, so it was replaced after the check and is refused`);
    case 'ENOTDIR':
      return new Error(`${action}: ${where} is not a directory, or a component of it is not`);
    case 'EISDIR':
      return new Error(`${action}: ${where} is a directory`);
    case 'EACCES':
    case 'EPERM':
      return new Error(`${action}: permission denied for ${where}`);
    default:
      return new Error(`${action}: ${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
