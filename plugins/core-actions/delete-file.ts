import type { Stats } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import { defineActionHandler, type ActionHandlerDefinition } from '../../src/plugins/api.ts';
import { describeKind, fsError } from './fs-messages.ts';
import { createParamReader } from './param-parsing.ts';
import { assertParentUnchanged } from './path-identity.ts';
import type { PathQueue } from './path-queue.ts';
import { requireTargetPath } from './target-path.ts';

const ACTION = 'delete_file';

export interface DeleteFileParams {
  readonly path: string;
}

export function parseDeleteFileParams(params: unknown): DeleteFileParams {
  const read = createParamReader(ACTION, params, ['path']);
  const result = { path: read.path() };
  read.done();
  return result;
}

/** Throws unless `target` is a regular file: never a directory, and never a symlink (nor what it points to). */
async function checkRegularFile(target: string): Promise<void> {
  let stats: Stats;
  try {
    stats = await lstat(target);
  } catch (err) {
    throw fsError(ACTION, target, err);
  }
  if (stats.isSymbolicLink()) {
    throw new Error(`${ACTION}: ${JSON.stringify(target)} is a symbolic link; the gateway passes resolved paths, so it was replaced after the check and is not deleted`);
  }
  if (!stats.isFile()) throw new Error(`${ACTION}: ${JSON.stringify(target)} is ${describeKind(stats)}; only regular files are deleted`);
  assertParentUnchanged(ACTION, target);
}

/**
 * `delete_file { path }` → `{ deleted: true }`. Regular files only (issue: "never directories").
 * `unlink` removes a directory entry and never follows a symlink at the final component, so even a
 * file swapped for a link after the check would only lose that link. Serialised with other mutations
 * of the path through `queue`. A dry run makes the same checks and returns `{ wouldDelete: true }`.
 */
export function createDeleteFileHandler(queue: PathQueue): ActionHandlerDefinition<DeleteFileParams> {
  return defineActionHandler<DeleteFileParams>({
    action: ACTION,
    description: 'Deletes one regular file inside the project; refuses directories and symbolic links.',
    takesPath: true,
    mutates: true,
    parseParams: parseDeleteFileParams,
    pathOf: (params) => params.path,
    async execute(_params, ctx) {
      const target = requireTargetPath(ACTION, ctx);
      if (ctx.dryRun) {
        await checkRegularFile(target);
        return { ok: true, output: { wouldDelete: true } };
      }
      await queue.run(target, async () => {
        await checkRegularFile(target);
        try {
          await unlink(target);
        } catch (err) {
          throw fsError(ACTION, target, err);
        }
      });
      return { ok: true, output: { deleted: true } };
    },
  });
}
