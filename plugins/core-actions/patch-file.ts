import { defineActionHandler, type ActionHandlerDefinition } from '../../src/plugins/api.ts';
import { writeAtomically } from './atomic-write.ts';
import { checkContentSize, contentLimitOf } from './content-limit.ts';
import { createParamReader } from './param-parsing.ts';
import type { PathQueue } from './path-queue.ts';
import { readRegularFileUpTo } from './read-limited.ts';
import { requireTargetPath } from './target-path.ts';
import { findOnlyOccurrence } from './unique-occurrence.ts';

const ACTION = 'patch_file';

export interface PatchFileParams {
  readonly path: string;
  /** Text that must occur exactly once in the file. */
  readonly oldString: string;
  /** What replaces it (may be empty, to delete). */
  readonly newString: string;
}

export function parsePatchFileParams(params: unknown): PatchFileParams {
  const read = createParamReader(ACTION, params, ['path', 'old_string', 'new_string']);
  const result = { path: read.path(), oldString: read.text('old_string', { nonEmpty: true }), newString: read.text('new_string', { nonEmpty: false }) };
  read.done();
  return result;
}

/**
 * Fatal: a file that is not valid UTF-8 would be silently changed where it is not valid, so it is
 * refused. `ignoreBOM` keeps a byte-order mark in the text, so it is written back unchanged.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The file's text, refused when it is over `limit` bytes or not valid UTF-8. */
function readText(target: string, limit: number): string {
  const { bytes } = readRegularFileUpTo(ACTION, target, limit + 1);
  if (bytes.length > limit) throw new Error(`${ACTION}: ${JSON.stringify(target)} is over the ${limit}-byte content limit`);
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new Error(`${ACTION}: ${JSON.stringify(target)} is not valid UTF-8 text, so it cannot be patched`);
  }
}

/**
 * `patch_file { path, old_string, new_string }` → `{ bytesWritten }`. Replaces the single occurrence
 * of `old_string` and writes the result atomically (see `atomic-write.ts`), keeping the file's mode.
 * Read and write run as one step in `queue`, so concurrent patches to one file never lose an edit.
 * A dry run reads and checks everything and returns `{ wouldWrite }`, the would-be size in bytes.
 */
export function createPatchFileHandler(queue: PathQueue): ActionHandlerDefinition<PatchFileParams> {
  return defineActionHandler<PatchFileParams>({
    action: ACTION,
    description: 'Replaces the one occurrence of old_string with new_string in a UTF-8 text file inside the project, atomically.',
    takesPath: true,
    mutates: true,
    parseParams: parsePatchFileParams,
    pathOf: (params) => params.path,
    async execute(params, ctx) {
      const target = requireTargetPath(ACTION, ctx);
      const limit = contentLimitOf(ACTION, ctx);
      const patch = async () => {
        const text = readText(target, limit);
        const at = findOnlyOccurrence(ACTION, target, text, params.oldString);
        // Slicing, not String.replace: a `$&` or `$1` in new_string must be written literally.
        const patched = text.slice(0, at) + params.newString + text.slice(at + params.oldString.length);
        const data = Buffer.from(patched, 'utf8');
        checkContentSize(ACTION, 'the patched file', data.length, limit);
        if (ctx.dryRun) return { wouldWrite: data.length };
        await writeAtomically(ACTION, target, ctx.projectRoot, data, { createDirs: false });
        return { bytesWritten: data.length };
      };
      // A dry run changes nothing, so it need not wait for queued writes.
      const output = ctx.dryRun ? await patch() : await queue.run(target, patch);
      return { ok: true, output };
    },
  });
}
