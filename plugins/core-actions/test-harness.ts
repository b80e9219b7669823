/**
 * Test support for core-actions (not loaded by the host, which imports only index.ts): a temporary
 * project root with a prefix sibling and an outside folder, the context the gateway would pass, and
 * a directory snapshot for "changed nothing" assertions.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ActionContext } from '../../src/plugins/api.ts';
import { TEMP_FILE_PREFIX } from './atomic-write.ts';

export interface TempProject {
  /** Canonical project root: `<base>/root`. */
  readonly root: string;
  /** A prefix sibling of the root, `<base>/root-evil`: outside by whole components. */
  readonly evil: string;
  /** Another folder outside the root, `<base>/outside`. */
  readonly outside: string;
  /** The context the gateway would pass for `relative` (resolved against the root) or an absolute path. */
  ctx(target: string, overrides?: Partial<ActionContext>): ActionContext;
  /** Removes everything. */
  cleanup(): Promise<void>;
}

export const ONE_MIB = 1024 * 1024;

export async function createTempProject(): Promise<TempProject> {
  // realpath: on macOS the temp dir is behind a symlink, and the gateway passes canonical paths.
  const base = await realpath(await mkdtemp(path.join(tmpdir(), 'core-actions-')));
  const root = path.join(base, 'root');
  const evil = path.join(base, 'root-evil');
  const outside = path.join(base, 'outside');
  await Promise.all([mkdir(root), mkdir(evil), mkdir(outside)]);
  return {
    root,
    evil,
    outside,
    ctx: (target, overrides = {}) => ({
      projectRoot: root,
      targetPath: path.resolve(root, target),
      dryRun: false,
      maxContentBytes: ONE_MIB,
      ...overrides,
    }),
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
}

/**
 * Every entry below `dir` with what a change would alter: type, permission bits, size, modification
 * time, a content hash for files and the target for links. Directory mtimes are included, so even a
 * temp file created and removed again shows up.
 */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (current: string): Promise<void> => {
    const stats = await lstat(current);
    const rel = path.relative(dir, current) || '.';
    const base = `${(stats.mode & 0o7777).toString(8)} mtime=${stats.mtimeMs}`;
    if (stats.isSymbolicLink()) out[rel] = `link -> ${await readlink(current)}`;
    else if (stats.isFile()) out[rel] = `file ${base} size=${stats.size} sha256=${createHash('sha256').update(await readFile(current)).digest('hex')}`;
    else if (stats.isDirectory()) {
      out[rel] = `dir ${base}`;
      for (const name of (await readdir(current)).sort()) await walk(path.join(current, name));
    } else out[rel] = `other ${base}`;
  };
  await walk(dir);
  return out;
}

/** Names in `dir` that look like this plugin's temp files. */
export async function tempFilesIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith(TEMP_FILE_PREFIX));
}
