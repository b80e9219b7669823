import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import type { RunExportFile } from '../engine/runs/run-export.ts';

const EXPORT_ID = /^[A-Za-z0-9_-]{1,200}$/;

export interface WrittenExport {
  exportId: string;
  file: string;
  sha256: string;
  sizeBytes: number;
}

/**
 * Writes run export bundles as `.tar.gz` files (issue #5 §10) with tar-stream (a maintained tar
 * packer) and zlib. A bundle is written to a temporary name and renamed into place, so a crash
 * mid-write never leaves a partial bundle under its final name. Entries sit in a folder named after
 * the run, mode 0644, dated when the bundle was made.
 */
export function createRunExportWriter(deps: { dir: string; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    async write(runId: string, files: readonly RunExportFile[]): Promise<WrittenExport> {
      await mkdir(deps.dir, { recursive: true });
      const temp = path.join(deps.dir, `.${runId}-${randomBytes(6).toString('hex')}.partial`);
      const mtime = now();
      const pack = tar.pack();
      const hash = createHash('sha256');
      let size = 0;
      try {
        const written = pipeline(pack, createGzip({ level: 9 }), async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        }, createWriteStream(temp, { mode: 0o644 }));
        for (const f of files) pack.entry({ name: `${runId}/${f.name}`, size: f.content.length, mode: 0o644, mtime }, f.content);
        pack.finalize();
        await written;
        const sha256 = hash.digest('hex');
        const exportId = `${runId}-${sha256.slice(0, 12)}`;
        const file = path.join(deps.dir, `${exportId}.tar.gz`);
        await rename(temp, file);
        return { exportId, file, sha256, sizeBytes: size };
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },
    /** The bundle file of an export id, or null for anything that is not one (no path ever leaves `dir`). */
    path(exportId: string): string | null {
      if (!EXPORT_ID.test(exportId)) return null;
      return path.join(deps.dir, `${exportId}.tar.gz`);
    },
    async exists(exportId: string): Promise<boolean> {
      const file = this.path(exportId);
      return file !== null && (await stat(file).catch(() => null)) !== null;
    },
  };
}

export type RunExportWriter = ReturnType<typeof createRunExportWriter>;
