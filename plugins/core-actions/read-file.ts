import { defineActionHandler } from '../../src/plugins/api.ts';
import { contentLimitOf } from './content-limit.ts';
import { createParamReader } from './param-parsing.ts';
import { readRegularFileUpTo, utf8PrefixLength } from './read-limited.ts';
import { requireTargetPath } from './target-path.ts';

const ACTION = 'read_file';

export interface ReadFileParams {
  readonly path: string;
  /** Read at most this many bytes and say `truncated`; without it a file over the limit is refused. */
  readonly maxBytes: number | undefined;
}

/** Largest `max_bytes` accepted; the gateway's content limit still caps what is read. */
const MAX_BYTES_CEILING = 1024 * 1024 * 1024;

export function parseReadFileParams(params: unknown): ReadFileParams {
  const read = createParamReader(ACTION, params, ['path', 'max_bytes']);
  const result = { path: read.path(), maxBytes: read.integer('max_bytes', { min: 1, max: MAX_BYTES_CEILING }) };
  read.done();
  return result;
}

/**
 * `read_file { path, max_bytes? }` → `{ content, bytes, truncated }`. Regular files only, opened
 * without following a symlink at the final component (see `safe-open.ts`). Content is decoded as
 * UTF-8 (invalid bytes become U+FFFD); a truncated read ends on a whole character, and `bytes` counts
 * the file bytes `content` came from. Reading changes nothing, so a dry run reads too.
 */
export const readFileHandler = defineActionHandler<ReadFileParams>({
  action: ACTION,
  description: 'Reads a UTF-8 text file inside the project; files over the content limit need max_bytes and are truncated to it.',
  takesPath: true,
  mutates: false,
  parseParams: parseReadFileParams,
  pathOf: (params) => params.path,
  async execute(params, ctx) {
    const target = requireTargetPath(ACTION, ctx);
    const limit = contentLimitOf(ACTION, ctx);
    const cap = Math.min(params.maxBytes ?? limit, limit);
    // One byte past the cap tells "exactly at the cap" from "more than the cap".
    const { bytes, stats } = readRegularFileUpTo(ACTION, target, cap + 1);
    const truncated = bytes.length > cap;
    if (truncated && params.maxBytes === undefined) {
      const size = Math.max(stats.size, bytes.length);
      throw new Error(`${ACTION}: ${JSON.stringify(target)} is ${stats.size > limit ? '' : 'at least '}${size} bytes, over the ${limit}-byte content limit; pass max_bytes to read only its start`);
    }
    const kept = truncated ? bytes.subarray(0, utf8PrefixLength(bytes, cap)) : bytes;
    return { ok: true, output: { content: kept.toString('utf8'), bytes: kept.length, truncated } };
  },
});
