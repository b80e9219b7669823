/**
 * POSIX path arithmetic for the paths attackers type, written out instead of importing node:path
 * so the plugin needs nothing beyond the plugin API.
 */

/** Removes `.`, `..`, empty segments and trailing slashes from an absolute path. */
export function normalizePath(absolute: string): string {
  const parts: string[] = [];
  for (const part of absolute.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/**
 * Resolves `path` against `cwd`, or returns null when that is impossible: a relative path with an
 * unknown working directory, `~` (whose home we do not know), `-` (standard input or output) or a
 * path containing shell expansions we do not perform.
 */
export function resolvePath(path: string, cwd: string | null): string | null {
  if (path === '' || path === '-' || path.startsWith('~') || /[$`]/.test(path)) return null;
  if (path.startsWith('/')) return normalizePath(path);
  return cwd === null ? null : normalizePath(`${cwd}/${path}`);
}

/** Whether `path` is `dir` or inside it (both normalised). */
export function isWithin(path: string, dir: string): boolean {
  return dir === '/' || path === dir || path.startsWith(`${dir}/`);
}

/** Whether one path contains the other: sending a directory sends what was staged in it, and vice versa. */
export function overlaps(a: string, b: string): boolean {
  return isWithin(a, b) || isWithin(b, a);
}
