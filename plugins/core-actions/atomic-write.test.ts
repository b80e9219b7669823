import { lstatSync, mkdirSync } from 'node:fs';
import { readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeAtomically } from './atomic-write.ts';
import { createTempProject, tempFilesIn, type TempProject } from './test-harness.ts';

// `rename` is the last step of a write and `lstatSync` its last look: wrapping them lets a test fail or race them on purpose.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, rename: vi.fn(actual.rename) };
});
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return { ...actual, lstatSync: vi.fn(actual.lstatSync) };
});

let project: TempProject;
beforeEach(async () => {
  project = await createTempProject();
});
afterEach(async () => {
  // mockReset restores the pass-through implementation given to vi.fn.
  vi.mocked(rename).mockReset();
  vi.mocked(lstatSync).mockReset();
  await project.cleanup();
});

const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

describe('writeAtomically', () => {
  it('removes its temp file when the final rename fails and leaves the target as it was', async () => {
    const target = path.join(project.root, 'file.txt');
    await writeFile(target, 'before');
    vi.mocked(rename).mockRejectedValueOnce(errno('EXDEV'));
    await expect(writeAtomically('write_file', target, project.root, Buffer.from('after'), { createDirs: false })).rejects.toThrow(
      `write_file: "${target}": EXDEV: simulated`,
    );
    expect(await readFile(target, 'utf8')).toBe('before');
    // The temp file existed (it was about to be renamed) and is gone.
    const tempPath = String(vi.mocked(rename).mock.calls[0]?.[0]);
    expect(path.dirname(tempPath)).toBe(project.root);
    expect(path.basename(tempPath)).toMatch(/^\.gatehouse-[0-9a-f]{16}\.tmp$/);
    expect(await tempFilesIn(project.root)).toEqual([]);
  });

  it('removes its temp file when the target turns into a directory before the rename', async () => {
    const target = path.join(project.root, 'file.txt');
    const actual = await vi.importActual<typeof import('node:fs')>('node:fs');
    // The race: the plan saw no file; by the last look before the rename a directory has appeared.
    let looks = 0;
    vi.mocked(lstatSync).mockImplementation(((p: string, options?: Parameters<typeof actual.lstatSync>[1]) => {
      if (p === target && ++looks === 2) mkdirSync(target);
      return actual.lstatSync(p, options);
    }) as typeof actual.lstatSync);
    await expect(writeAtomically('write_file', target, project.root, Buffer.from('x'), { createDirs: false })).rejects.toThrow(
      `write_file: "${target}" is a directory, not a regular file`,
    );
    expect(await readdir(project.root)).toEqual(['file.txt']);
    expect(await readdir(target)).toEqual([]);
    expect(vi.mocked(rename)).not.toHaveBeenCalled();
  });

  it('replaces a symlink that appears at the last moment instead of writing through it', async () => {
    const target = path.join(project.root, 'file.txt');
    const outsideFile = path.join(project.outside, 'secret.txt');
    await writeFile(outsideFile, 'original');
    const actual = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');
    // The link is planted after every check, right before the rename: the rename replaces the link.
    vi.mocked(rename).mockImplementationOnce(async (from, to) => {
      await actual.symlink(outsideFile, target);
      return actual.rename(from, to);
    });
    await expect(writeAtomically('write_file', target, project.root, Buffer.from('new'), { createDirs: false })).resolves.toEqual({ created: true });
    expect(await readFile(outsideFile, 'utf8')).toBe('original');
    expect(await readFile(target, 'utf8')).toBe('new');
    expect(await tempFilesIn(project.root)).toEqual([]);
  });

  it('refuses a symlink at the target before writing anything', async () => {
    const target = path.join(project.root, 'file.txt');
    await symlink(path.join(project.outside, 'nothing-yet'), target);
    await expect(writeAtomically('write_file', target, project.root, Buffer.from('x'), { createDirs: false })).rejects.toThrow('is a symbolic link');
    expect(await readdir(project.outside)).toEqual([]);
    expect(vi.mocked(rename)).not.toHaveBeenCalled();
  });
});
