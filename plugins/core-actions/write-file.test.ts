import { chmod, lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPathQueue } from './path-queue.ts';
import { createTempProject, snapshot, tempFilesIn, type TempProject } from './test-harness.ts';
import { createWriteFileHandler, parseWriteFileParams } from './write-file.ts';

let project: TempProject;
beforeEach(async () => {
  project = await createTempProject();
});
afterEach(async () => {
  await project.cleanup();
});

const write = (rel: string, content: string, options: { createDirs?: boolean; dryRun?: boolean; limit?: number } = {}) =>
  createWriteFileHandler(createPathQueue()).execute(
    { path: rel, content, createDirs: options.createDirs ?? false },
    project.ctx(rel, { dryRun: options.dryRun ?? false, ...(options.limit === undefined ? {} : { maxContentBytes: options.limit }) }),
  );

describe('write_file', () => {
  it('creates a new file and says so', async () => {
    const result = await write('notes.txt', 'héllo\n');
    expect(result).toEqual({ ok: true, output: { bytesWritten: 7, created: true } });
    expect(await readFile(path.join(project.root, 'notes.txt'), 'utf8')).toBe('héllo\n');
    expect(await tempFilesIn(project.root)).toEqual([]);
  });

  it('replaces an existing file and keeps its permission bits', async () => {
    const file = path.join(project.root, 'config.ini');
    await writeFile(file, 'old');
    await chmod(file, 0o640);
    expect(await write('config.ini', 'new')).toEqual({ ok: true, output: { bytesWritten: 3, created: false } });
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o640);
  });

  it('writes empty content', async () => {
    expect(await write('empty.txt', '')).toEqual({ ok: true, output: { bytesWritten: 0, created: true } });
    expect(await readFile(path.join(project.root, 'empty.txt'), 'utf8')).toBe('');
  });

  it('refuses a missing parent directory unless create_dirs is set', async () => {
    await expect(write('a/b/c.txt', 'x')).rejects.toThrow(`write_file: directory "${project.root}/a/b" does not exist; pass create_dirs: true to create it`);
    expect(await readdir(project.root)).toEqual([]);
    expect(await write('a/b/c.txt', 'x', { createDirs: true })).toEqual({ ok: true, output: { bytesWritten: 1, created: true } });
    expect(await readFile(path.join(project.root, 'a/b/c.txt'), 'utf8')).toBe('x');
  });

  it('never follows a symlink at the final component', async () => {
    const outsideFile = path.join(project.outside, 'secret.txt');
    await writeFile(outsideFile, 'original');
    await symlink(outsideFile, path.join(project.root, 'link'));
    await expect(write('link', 'pwned')).rejects.toThrow(`write_file: "${project.root}/link" is a symbolic link; the gateway passes resolved paths, so it was replaced after the check and is not written through`);
    expect(await readFile(outsideFile, 'utf8')).toBe('original');
    expect(await readlink(path.join(project.root, 'link'))).toBe(outsideFile);
    expect(await tempFilesIn(project.root)).toEqual([]);
  });

  it('refuses a directory', async () => {
    await mkdir(path.join(project.root, 'src'));
    await expect(write('src', 'x')).rejects.toThrow(`write_file: "${project.root}/src" is a directory, not a regular file`);
    await expect(write('.', 'x')).rejects.toThrow(`write_file: "${project.root}" is a directory, not a regular file`);
  });

  it('refuses a parent directory that no longer resolves to the path the gateway checked', async () => {
    await mkdir(path.join(project.root, 'real'));
    await symlink(path.join(project.root, 'real'), path.join(project.root, 'swapped'));
    await expect(write('swapped/file.txt', 'x')).rejects.toThrow(
      `write_file: directory "${project.root}/swapped" is a symbolic link; the gateway passes resolved paths, so it was replaced after the check and is refused`,
    );
    expect(await readdir(path.join(project.root, 'real'))).toEqual([]);
  });

  it('refuses a path whose directories resolve elsewhere further up', async () => {
    await mkdir(path.join(project.root, 'real/sub'), { recursive: true });
    await symlink(path.join(project.root, 'real'), path.join(project.root, 'swapped'));
    await expect(write('swapped/sub/file.txt', 'x')).rejects.toThrow(
      `write_file: directory "${project.root}/swapped/sub" now resolves to "${project.root}/real/sub"; it changed after the gateway checked the path, so the action is refused`,
    );
    expect(await readdir(path.join(project.root, 'real/sub'))).toEqual([]);
  });

  it('creates no directories through a symlinked ancestor', async () => {
    await symlink(project.outside, path.join(project.root, 'escape'));
    await expect(write('escape/deep/file.txt', 'x', { createDirs: true })).rejects.toThrow(`write_file: directory "${project.root}/escape" is a symbolic link`);
    expect(await readdir(project.outside)).toEqual([]);
  });

  it('refuses content over the limit, counted in UTF-8 bytes', async () => {
    const content = 'é'.repeat(600); // 600 characters, 1200 bytes
    await expect(write('big.txt', content, { limit: 1000 })).rejects.toThrow("write_file: 'content' is 1200 bytes, over the 1000-byte content limit");
    expect(await readdir(project.root)).toEqual([]);
    expect(await write('big.txt', content, { limit: 1200 })).toEqual({ ok: true, output: { bytesWritten: 1200, created: true } });
  });

  it('changes nothing in a dry run, not even missing directories', async () => {
    await writeFile(path.join(project.root, 'kept.txt'), 'kept');
    const before = await snapshot(project.root);
    expect(await write('kept.txt', 'changed', { dryRun: true })).toEqual({ ok: true, output: { wouldWrite: 7, created: false } });
    expect(await write('new/dir/file.txt', 'abc', { dryRun: true, createDirs: true })).toEqual({ ok: true, output: { wouldWrite: 3, created: true } });
    expect(await snapshot(project.root)).toEqual(before);
  });

  it('checks in a dry run what the real write would refuse', async () => {
    await symlink(path.join(project.outside, 'x'), path.join(project.root, 'link'));
    await expect(write('link', 'x', { dryRun: true })).rejects.toThrow('is a symbolic link');
    await expect(write('missing/file.txt', 'x', { dryRun: true })).rejects.toThrow('pass create_dirs: true to create it');
    await expect(write('big.txt', 'xx', { dryRun: true, limit: 1 })).rejects.toThrow('over the 1-byte content limit');
  });

  it('serialises concurrent writes to one path: the file ends whole and no temp file remains', async () => {
    const handler = createWriteFileHandler(createPathQueue());
    const contents = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}:${String.fromCharCode(97 + i).repeat(100_000)}\n`);
    const results = await Promise.all(contents.map((content) => handler.execute({ path: 'race.txt', content, createDirs: false }, project.ctx('race.txt'))));
    expect(results.filter((r) => r.output.created === true)).toHaveLength(1);
    const final = await readFile(path.join(project.root, 'race.txt'), 'utf8');
    expect(contents).toContain(final);
    expect(await readdir(project.root)).toEqual(['race.txt']);
  });

  it('refuses a target outside the root, including a prefix sibling of it', async () => {
    const handler = createWriteFileHandler(createPathQueue());
    const evilFile = path.join(project.evil, 'file.txt');
    await writeFile(evilFile, 'original');
    await expect(handler.execute({ path: evilFile, content: 'x', createDirs: false }, project.ctx(evilFile))).rejects.toThrow(
      `write_file: the target path "${evilFile}" is outside the project root "${project.root}"`,
    );
    expect(await readFile(evilFile, 'utf8')).toBe('original');
  });

  it('creates new files with permission bits no wider than 0644', async () => {
    await write('new.txt', 'x');
    expect((await lstat(path.join(project.root, 'new.txt'))).mode & 0o133).toBe(0);
  });
});

describe('write_file params', () => {
  it('reads path, content and create_dirs', () => {
    expect(parseWriteFileParams({ path: 'a.txt', content: '' })).toEqual({ path: 'a.txt', content: '', createDirs: false });
    expect(parseWriteFileParams({ path: 'a.txt', content: 'x', create_dirs: true })).toEqual({ path: 'a.txt', content: 'x', createDirs: true });
  });

  it('names every bad parameter and what arrived', () => {
    expect(() => parseWriteFileParams({ path: 'a.txt', content: 42, create_dir: true })).toThrow(
      "write_file: unknown parameter 'create_dir' (known parameters: path, content, create_dirs); 'content' must be a string, got 42",
    );
    expect(() => parseWriteFileParams({ path: 'a.txt' })).toThrow("write_file: 'content' is required (a string)");
    expect(() => parseWriteFileParams({ path: 'a.txt', content: 'x', create_dirs: 'yes' })).toThrow(`write_file: 'create_dirs' must be true or false, got "yes"`);
  });

  it('refuses content that UTF-8 cannot encode rather than writing replacement characters', () => {
    expect(() => parseWriteFileParams({ path: 'a.txt', content: 'ab\ud800c' })).toThrow(
      `write_file: 'content' must be well-formed text, but it holds a lone surrogate at index 2, which UTF-8 cannot encode: "ab\\ud800c"`,
    );
    expect(parseWriteFileParams({ path: 'a.txt', content: '😀' }).content).toBe('😀');
  });
});
