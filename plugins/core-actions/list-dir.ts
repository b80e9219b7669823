import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { defineActionHandler } from '../../src/plugins/api.ts';
import { errnoCode, fsError } from './fs-messages.ts';
import { createParamReader } from './param-parsing.ts';
import { assertStillSameEntry } from './path-identity.ts';
import { openDirectory } from './safe-open.ts';
import { requireTargetPath } from './target-path.ts';

const ACTION = 'list_dir';

export interface ListDirParams {
  readonly path: string;
  /** At most this many entries (the first ones by name); default 1000. */
  readonly maxEntries: number;
}

const DEFAULT_MAX_ENTRIES = 1000;
const MAX_ENTRIES_CEILING = 100_000;

export function parseListDirParams(params: unknown): ListDirParams {
  const read = createParamReader(ACTION, params, ['path', 'max_entries']);
  const result = { path: read.path(), maxEntries: read.integer('max_entries', { min: 1, max: MAX_ENTRIES_CEILING }, DEFAULT_MAX_ENTRIES) };
  read.done();
  return result;
}

/** One directory entry. A symlink is reported as one, never followed. */
export interface ListEntry {
  readonly name: string;
  readonly type: 'file' | 'dir' | 'symlink' | 'other';
  /** Size in bytes of a regular file; null for anything else, or a file that vanished while listing. */
  readonly size: number | null;
}

function typeOf(entry: Dirent): ListEntry['type'] {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'dir';
  if (entry.isSymbolicLink()) return 'symlink';
  return 'other';
}

async function sizeOf(file: string): Promise<number | null> {
  try {
    return (await lstat(file)).size;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw fsError(ACTION, file, err);
  }
}

/** Code-unit order: the same on every machine and locale. */
const byName = (a: Dirent, b: Dirent) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * `list_dir { path, max_entries? }` → `{ entries: [{ name, type, size }], truncated }`, sorted by
 * name; `truncated` says entries past `max_entries` were left out. Refuses anything but a directory,
 * including a symlink to one. The directory is held open while it is read and re-checked afterwards,
 * so the listing comes from the directory the gateway checked. Reading changes nothing, so a dry run
 * lists too.
 */
export const listDirHandler = defineActionHandler<ListDirParams>({
  action: ACTION,
  description: 'Lists a directory inside the project, sorted by name: each entry with its type and, for files, its size.',
  takesPath: true,
  mutates: false,
  parseParams: parseListDirParams,
  pathOf: (params) => params.path,
  async execute(params, ctx) {
    const target = requireTargetPath(ACTION, ctx);
    const { handle, stats } = await openDirectory(ACTION, target);
    let all: Dirent[];
    try {
      all = await readdir(target, { withFileTypes: true });
      assertStillSameEntry(ACTION, target, stats);
    } catch (err) {
      throw errnoCode(err) === undefined ? err : fsError(ACTION, target, err);
    } finally {
      await handle.close();
    }
    const kept = all.sort(byName).slice(0, params.maxEntries);
    const entries = await Promise.all(
      kept.map(async (entry): Promise<ListEntry> => {
        const type = typeOf(entry);
        return { name: entry.name, type, size: type === 'file' ? await sizeOf(path.join(target, entry.name)) : null };
      }),
    );
    return { ok: true, output: { entries, truncated: all.length > kept.length } };
  },
});
