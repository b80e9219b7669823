import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './io.ts';

/** The project root (where `schema.graphql` and `docs/` live), independent of the working directory. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Prints, writes (`--write`) or checks (`--check`) a generated, committed file. A check fails with
 * exit code 1 and says how to regenerate when the committed file differs from the code.
 */
export async function emitGenerated(
  io: CliIo,
  file: { path: string; label: string; content: string; regenerate: string },
  mode: { write?: boolean; check?: boolean },
): Promise<number> {
  const target = fileURLToPath(new URL(file.path, `file://${PROJECT_ROOT}`));
  if (mode.check) {
    const committed = await readFile(target, 'utf8').catch(() => null);
    if (committed === file.content) {
      io.out(`${file.label} is up to date\n`);
      return 0;
    }
    io.err(`${file.label} ${committed === null ? 'is missing' : 'is stale'}: run \`${file.regenerate}\` and commit it\n`);
    return 1;
  }
  if (mode.write) {
    await writeFile(target, file.content);
    io.out(`wrote ${file.path}\n`);
    return 0;
  }
  io.out(file.content);
  return 0;
}
