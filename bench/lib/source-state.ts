import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Which code a figure was measured on: the commit, and the files under `paths` that differ from it
 * (a bench runs the working tree). Read-only git commands; null fields when git is unavailable.
 */
export function sourceState(paths: readonly string[] = ['src', 'plugins', 'policy']) {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return null;
    }
  };
  const status = git('status', '--porcelain', '--', ...paths);
  return { commit: git('rev-parse', '--short', 'HEAD')?.trim() ?? null, uncommittedFiles: status === null ? null : status.split('\n').filter(Boolean).map((line) => line.slice(3)) };
}
