import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, statSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import type { RunExportFile } from '../engine/runs/run-export.ts';

/** Export ids and run ids name files in `dir`: letters, digits, `_` and `-` only, so no id can leave it. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,200}$/;
const BUNDLE_SUFFIX = '.tar.gz';

export interface WrittenExport {
  /** `<runId>-<first 12 hex digits of sha256>`: the name `GET /exports/<id>` serves. */
  exportId: string;
  /** Absolute path of the bundle. */
  file: string;
  /** SHA-256 of the .tar.gz file itself. */
  sha256: string;
  sizeBytes: number;
}

export interface RunExportWriter {
  write(runId: string, files: readonly RunExportFile[]): Promise<WrittenExport>;
  /** The bundle of an export id, or null when the id is not a valid export id or no such bundle exists. */
  path(exportId: string): string | null;
}

function checkFiles(files: readonly RunExportFile[]): void {
  const seen = new Set<string>();
  for (const f of files) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(f.name)) throw new TypeError(`run export: file name ${JSON.stringify(f.name)} is not a plain file name`);
    if (seen.has(f.name)) throw new TypeError(`run export: file ${JSON.stringify(f.name)} appears twice`);
    seen.add(f.name);
  }
}

/** Flushes a written file to disk, so the rename that follows never publishes a name before its bytes. */
async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Entries are dated when the bundle was made: the manifest's `exportedAt`, so rebuilding a bundle repeats it. */
function bundleTime(files: readonly RunExportFile[], fallback: Date): Date {
  const manifest = files.find((f) => f.name === 'manifest.json');
  if (!manifest) return fallback;
  try {
    const at = new Date((JSON.parse(manifest.content.toString('utf8')) as { exportedAt?: unknown }).exportedAt as string);
    return Number.isNaN(at.getTime()) ? fallback : at;
  } catch {
    return fallback;
  }
}

/**
 * Stores run export bundles as `.tar.gz` files in `dir` (issue #5 §10), packed with tar-stream and
 * gzipped with zlib. Entries sit in a folder named after the run, mode 0644. A bundle is written and
 * synced under a temporary dot-name, then renamed into place: a crash mid-write never leaves a partial
 * bundle under a name `path()` would serve (temporary names start with `.`, which no export id can).
 */
export function createRunExportWriter(deps: { dir: string }): RunExportWriter {
  const dir = path.resolve(deps.dir);
  return {
    async write(runId, files) {
      if (!SAFE_ID.test(runId)) throw new TypeError(`run export: run id ${JSON.stringify(runId)} may hold only letters, digits, '_' and '-'`);
      checkFiles(files);
      await mkdir(dir, { recursive: true });
      const mtime = bundleTime(files, new Date());
      const temp = path.join(dir, `.${runId}.${randomBytes(6).toString('hex')}.partial`);
      const hash = createHash('sha256');
      let sizeBytes = 0;
      const pack = tar.pack();
      const packed = pipeline(
        pack,
        createGzip(),
        async function* measure(chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            sizeBytes += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(temp, { flags: 'wx', mode: 0o644 }),
      );
      try {
        for (const f of files) pack.entry({ name: `${runId}/${f.name}`, size: f.content.length, mode: 0o644, mtime, type: 'file' }, f.content);
        pack.finalize();
        await packed;
        await syncFile(temp);
        const sha256 = hash.digest('hex');
        const exportId = `${runId}-${sha256.slice(0, 12)}`;
        const file = path.join(dir, `${exportId}${BUNDLE_SUFFIX}`);
        await rename(temp, file);
        return { exportId, file, sha256, sizeBytes };
      } catch (err) {
        // Settle the pipeline first: the temp file must be closed (or never opened) before it is removed.
        // Destroyed without the error: tar-stream would re-emit it on pending entry sinks nobody listens to.
        pack.destroy();
        await packed.catch(() => undefined);
        await rm(temp, { force: true });
        throw err;
      }
    },
    path(exportId) {
      if (!SAFE_ID.test(exportId)) return null;
      const file = path.join(dir, `${exportId}${BUNDLE_SUFFIX}`);
      return statSync(file, { throwIfNoEntry: false })?.isFile() ? file : null;
    },
  };
}
