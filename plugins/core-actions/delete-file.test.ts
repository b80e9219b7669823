import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeleteFileHandler, parseDeleteFileParams } from './delete-file.ts';
import { createPathQueue } from './path-queue.ts';
import { createTempProject, snapshot, type TempProject } from './test-harness.ts';

let project: TempProject;
beforeEach(async () => {
  project = await createTempProject();
});
afterEach(async () => {
  await project.cleanup();
});

const remove = (rel: string, options: { dryRun?: boolean } = {}) =>
  createDeleteFileHandler(createPathQueue()).execute({ path: rel }, project.ctx(rel, { dryRun: options.dryRun ?? false }));

describe('delete_file', () => {
  it('deletes a regular file', async () => {
    await writeFile(path.join(project.root, 'old.log'), 'x');
    expect(await remove('old.log')).toEqual({ ok: true, output: { deleted: true } });
    expect(await readdir(project.root)).toEqual([]);
  });

  it('refuses a directory, even an empty one', async () => {
    await mkdir(path.join(project.root, 'src'));
    await expect(remove('src')).rejects.toThrow(`delete_file: "${project.root}/src" is a directory; only regular files are deleted`);
    await expect(remove('.')).rejects.toThrow(`delete_file: "${project.root}" is a directory; only regular files are deleted`);
    expect(await readdir(project.root)).toEqual(['src']);
  });

  it('refuses a symlink and leaves both the link and its target', async () => {
    const outsideFile = path.join(project.outside, 'keep.txt');
    await writeFile(outsideFile, 'keep');
    await symlink(outsideFile, path.join(project.root, 'link'));
    await expect(remove('link')).rejects.toThrow(
      `delete_file: "${project.root}/link" is a symbolic link; the gateway passes resolved paths, so it was replaced after the check and is not deleted`,
    );
    expect(await readlink(path.join(project.root, 'link'))).toBe(outsideFile);
    expect(await readFile(outsideFile, 'utf8')).toBe('keep');
  });

  it('refuses a FIFO', async () => {
    execFileSync('mkfifo', [path.join(project.root, 'pipe')]);
    await expect(remove('pipe')).rejects.toThrow(`delete_file: "${project.root}/pipe" is a FIFO; only regular files are deleted`);
  });

  it('says when the file does not exist', async () => {
    await expect(remove('gone.txt')).rejects.toThrow(`delete_file: "${project.root}/gone.txt" does not exist`);
  });

  it('refuses a file reached through a symlinked directory', async () => {
    await writeFile(path.join(project.outside, 'victim.txt'), 'x');
    await symlink(project.outside, path.join(project.root, 'escape'));
    await expect(remove('escape/victim.txt')).rejects.toThrow(`delete_file: directory "${project.root}/escape" now resolves to "${project.outside}"`);
    expect(await readdir(project.outside)).toEqual(['victim.txt']);
  });

  it('checks everything but deletes nothing in a dry run', async () => {
    await writeFile(path.join(project.root, 'old.log'), 'x');
    await mkdir(path.join(project.root, 'dir'));
    const before = await snapshot(project.root);
    expect(await remove('old.log', { dryRun: true })).toEqual({ ok: true, output: { wouldDelete: true } });
    await expect(remove('dir', { dryRun: true })).rejects.toThrow('is a directory');
    await expect(remove('missing', { dryRun: true })).rejects.toThrow('does not exist');
    expect(await snapshot(project.root)).toEqual(before);
  });

  it('refuses a target in a prefix sibling of the root', async () => {
    const evilFile = path.join(project.evil, 'file.txt');
    await writeFile(evilFile, 'x');
    await expect(createDeleteFileHandler(createPathQueue()).execute({ path: evilFile }, project.ctx(evilFile))).rejects.toThrow(
      `delete_file: the target path "${evilFile}" is outside the project root "${project.root}"`,
    );
    expect(await readdir(project.evil)).toEqual(['file.txt']);
  });
});

describe('delete_file params', () => {
  it('takes only a path', () => {
    expect(parseDeleteFileParams({ path: 'a.txt' })).toEqual({ path: 'a.txt' });
    expect(() => parseDeleteFileParams({ path: 'a.txt', recursive: true })).toThrow("delete_file: unknown parameter 'recursive' (known parameters: path)");
  });
});
