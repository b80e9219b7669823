import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listDirHandler, parseListDirParams } from './list-dir.ts';
import { createTempProject, snapshot, type TempProject } from './test-harness.ts';

let project: TempProject;
beforeEach(async () => {
  project = await createTempProject();
});
afterEach(async () => {
  await project.cleanup();
});

const list = (rel: string, options: { maxEntries?: number; dryRun?: boolean } = {}) =>
  listDirHandler.execute({ path: rel, maxEntries: options.maxEntries ?? 1000 }, project.ctx(rel, { dryRun: options.dryRun ?? false }));

describe('list_dir', () => {
  it('lists entries sorted by name with their types and file sizes', async () => {
    await writeFile(path.join(project.root, 'b.txt'), 'four');
    await writeFile(path.join(project.root, 'B.txt'), '');
    await mkdir(path.join(project.root, 'src'));
    await symlink(project.outside, path.join(project.root, 'a-link'));
    execFileSync('mkfifo', [path.join(project.root, 'pipe')]);
    expect(await list('.')).toEqual({
      ok: true,
      output: {
        entries: [
          { name: 'B.txt', type: 'file', size: 0 },
          { name: 'a-link', type: 'symlink', size: null },
          { name: 'b.txt', type: 'file', size: 4 },
          { name: 'pipe', type: 'other', size: null },
          { name: 'src', type: 'dir', size: null },
        ],
        truncated: false,
      },
    });
  });

  it('lists a subdirectory, and an empty one', async () => {
    await mkdir(path.join(project.root, 'src/empty'), { recursive: true });
    expect((await list('src')).output).toEqual({ entries: [{ name: 'empty', type: 'dir', size: null }], truncated: false });
    expect((await list('src/empty')).output).toEqual({ entries: [], truncated: false });
  });

  it('keeps the first max_entries by name and says it truncated', async () => {
    for (const name of ['d', 'a', 'c', 'b']) await writeFile(path.join(project.root, name), '');
    expect((await list('.', { maxEntries: 2 })).output).toEqual({
      entries: [
        { name: 'a', type: 'file', size: 0 },
        { name: 'b', type: 'file', size: 0 },
      ],
      truncated: true,
    });
    expect((await list('.', { maxEntries: 4 })).output).toMatchObject({ truncated: false });
  });

  it('refuses a regular file', async () => {
    await writeFile(path.join(project.root, 'a.txt'), '');
    await expect(list('a.txt')).rejects.toThrow(`list_dir: "${project.root}/a.txt" is a regular file, not a directory`);
  });

  it('refuses a symlink to a directory', async () => {
    await symlink(project.outside, path.join(project.root, 'escape'));
    await expect(list('escape')).rejects.toThrow(`list_dir: "${project.root}/escape" is a symbolic link`);
  });

  it('refuses a directory reached through a symlinked parent', async () => {
    await mkdir(path.join(project.outside, 'private'));
    await symlink(project.outside, path.join(project.root, 'escape'));
    await expect(list('escape/private')).rejects.toThrow(`list_dir: directory "${project.root}/escape" now resolves to "${project.outside}"`);
  });

  it('lists the same in a dry run and changes nothing', async () => {
    await writeFile(path.join(project.root, 'a'), 'x');
    const before = await snapshot(project.root);
    expect((await list('.', { dryRun: true })).output).toEqual({ entries: [{ name: 'a', type: 'file', size: 1 }], truncated: false });
    expect(await snapshot(project.root)).toEqual(before);
  });
});

describe('list_dir params', () => {
  it('defaults max_entries to 1000', () => {
    expect(parseListDirParams({ path: '.' })).toEqual({ path: '.', maxEntries: 1000 });
    expect(parseListDirParams({ path: '.', max_entries: 5 })).toEqual({ path: '.', maxEntries: 5 });
  });

  it('names a bad max_entries and what arrived', () => {
    expect(() => parseListDirParams({ path: '.', max_entries: 0 })).toThrow("list_dir: 'max_entries' must be an integer from 1 to 100000, got 0");
    expect(() => parseListDirParams({ path: '.', max_entries: '10' })).toThrow(`list_dir: 'max_entries' must be an integer from 1 to 100000, got "10"`);
  });
});
