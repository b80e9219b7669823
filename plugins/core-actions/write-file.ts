import { defineActionHandler, type ActionHandlerDefinition } from '../../src/plugins/api.ts';
import { planWrite, writeAtomically } from './atomic-write.ts';
import { checkContentSize, contentLimitOf } from './content-limit.ts';
import { createParamReader } from './param-parsing.ts';
import type { PathQueue } from './path-queue.ts';
import { requireTargetPath } from './target-path.ts';

const ACTION = 'write_file';

export interface WriteFileParams {
  readonly path: string;
  /** The whole new content, written as UTF-8. */
  readonly content: string;
  /** Create missing parent directories (default false: a typo in a directory name is an error). */
  readonly createDirs: boolean;
}

export function parseWriteFileParams(params: unknown): WriteFileParams {
  const read = createParamReader(ACTION, params, ['path', 'content', 'create_dirs']);
  const result = { path: read.path(), content: read.text('content', { nonEmpty: false }), createDirs: read.boolean('create_dirs', false) };
  read.done();
  return result;
}

/**
 * `write_file { path, content, create_dirs? }` (aliases `edit`, `create`) → `{ bytesWritten, created }`.
 * Creates or replaces a regular file atomically (see `atomic-write.ts`), serialised with every other
 * mutation of the same path through `queue`. A dry run checks everything it can (size, target kind,
 * parent directories) and returns `{ wouldWrite, created }`, creating nothing, not even directories.
 */
export function createWriteFileHandler(queue: PathQueue): ActionHandlerDefinition<WriteFileParams> {
  return defineActionHandler<WriteFileParams>({
    action: ACTION,
    aliases: ['edit', 'create'],
    description: 'Creates or replaces a UTF-8 text file inside the project, atomically; create_dirs: true creates missing parent directories.',
    takesPath: true,
    mutates: true,
    parseParams: parseWriteFileParams,
    pathOf: (params) => params.path,
    async execute(params, ctx) {
      const target = requireTargetPath(ACTION, ctx);
      const data = Buffer.from(params.content, 'utf8');
      checkContentSize(ACTION, "'content'", data.length, contentLimitOf(ACTION, ctx));
      if (ctx.dryRun) {
        const plan = planWrite(ACTION, target, ctx.projectRoot, params.createDirs);
        return { ok: true, output: { wouldWrite: data.length, created: plan.created } };
      }
      const { created } = await queue.run(target, () => writeAtomically(ACTION, target, ctx.projectRoot, data, { createDirs: params.createDirs }));
      return { ok: true, output: { bytesWritten: data.length, created } };
    },
  });
}
