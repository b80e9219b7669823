import { readOptions } from './command-options.ts';
import { isWithin, resolvePath } from './paths.ts';
import { isRemoteSpec } from './remote.ts';
import { basename, type SimpleCommand } from './shell-command.ts';

/** World-writable places attackers gather data before sending it out. */
export const DEFAULT_STAGING_DIRS: readonly string[] = ['/tmp', '/var/tmp', '/dev/shm'];

/**
 * Programs whose redirected output is not data collected from this machine: downloads and received
 * streams (ingress, T1105) and literal text.
 */
const NOT_COLLECTION = new Set(['curl', 'wget', 'fetch', 'tftp', 'ftp', 'nc', 'ncat', 'netcat', 'socat', 'ssh', 'echo', 'printf', 'true', ':']);

/**
 * Where `command` writes collected data inside a staging directory, as absolute paths; empty when it
 * stages nothing. Staging (T1074.001) means: an archive created there (`tar -c`, `zip`, `7z a`), files
 * copied or moved there (`cp`, `mv`, local `rsync`), `dd of=`, or any other program's output
 * redirected there (`mysqldump … > /tmp/db.sql`, `cat /etc/shadow > /dev/shm/s`). Relative paths
 * count only when the working directory is known.
 */
export function stagedPaths(command: SimpleCommand, cwd: string | null, stagingDirs: readonly string[]): string[] {
  return writtenPaths(command, cwd, stagingDirs).filter(
    (p): p is string => p !== null && stagingDirs.some((dir) => isWithin(p, dir) && p !== dir),
  );
}

function writtenPaths(command: SimpleCommand, cwd: string | null, stagingDirs: readonly string[]): (string | null)[] {
  const [program, ...args] = command.argv;
  const stdout = command.redirects.filter((r) => r.op !== '<' && (r.fd === null || r.fd === 1)).map((r) => r.target);
  const resolveAll = (paths: readonly string[]) => paths.map((p) => resolvePath(p, cwd));
  switch (program) {
    case undefined:
      return [];
    case 'tar':
      return resolveAll(tarArchive(args, stdout));
    case 'zip': {
      const archive = readOptions(args, new Set(['-P', '--password', '-b', '-t', '-tt', '-n', '-O', '--out'])).operands[0];
      return resolveAll(archive === undefined || archive === '-' ? stdout : [archive]);
    }
    case '7z':
    case '7za':
    case '7zr': {
      const archive = args[0] === 'a' ? readOptions(args.slice(1), new Set()).operands[0] : undefined;
      return resolveAll(archive === undefined ? [] : [archive]);
    }
    case 'cp':
    case 'mv':
    case 'rsync':
      return copyTargets(args, cwd, stagingDirs);
    case 'dd':
      return resolveAll(args.filter((a) => a.startsWith('of=')).map((a) => a.slice(3)));
    default:
      return NOT_COLLECTION.has(program) ? [] : resolveAll(stdout);
  }
}

/** The archive `tar` creates (`-czf x`, old-style `czf x`, `--create --file=x`, or stdout for `-f -`). */
function tarArchive(args: readonly string[], stdout: readonly string[]): string[] {
  let create = false;
  let archive: string | null = null;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '--create') create = true;
    else if (arg.startsWith('--file=')) archive = arg.slice('--file='.length);
    else if (arg === '--file') archive = args[(i += 1)] ?? null;
    else if (arg.startsWith('--')) continue;
    else if (arg.startsWith('-') || (i === 0 && /^[A-Za-z]+$/.test(arg))) {
      // A short cluster (`-czf`) or tar's old style (`czf`); letters after `f` are its value.
      const letters = arg.replace(/^-/, '');
      const f = letters.indexOf('f');
      if ((f === -1 ? letters : letters.slice(0, f)).includes('c')) create = true;
      if (f !== -1) archive = arg.startsWith('-') && f + 1 < letters.length ? letters.slice(f + 1) : (args[(i += 1)] ?? null);
    }
  }
  if (!create) return [];
  return archive === null || archive === '-' ? [...stdout] : [archive];
}

/** Where `cp`/`mv`/local `rsync` put files: `dest/<name>` when dest is a directory, else dest. */
function copyTargets(args: readonly string[], cwd: string | null, stagingDirs: readonly string[]): (string | null)[] {
  const read = readOptions(args, new Set(['-t', '--target-directory', '-e', '--rsh', '-S', '--suffix']));
  const targetDir = read.values.get('-t')?.[0] ?? read.values.get('--target-directory')?.[0];
  const sources = targetDir === undefined ? read.operands.slice(0, -1) : read.operands;
  const dest = targetDir ?? read.operands.at(-1);
  // A remote operand makes this a transfer (or a download), which is not staging.
  if (dest === undefined || sources.length === 0 || read.operands.some(isRemoteSpec)) return [];
  const resolved = resolvePath(dest, cwd);
  if (resolved === null) return [];
  const isDirectory = targetDir !== undefined || dest.endsWith('/') || sources.length > 1 || stagingDirs.includes(resolved);
  return isDirectory ? sources.map((s) => `${resolved}/${basename(s)}`) : [resolved];
}
