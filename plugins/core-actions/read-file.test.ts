import { execFileSync } from 'node:child_process';
import { link, mkdir, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseReadFileParams, readFileHandler } from './read-file.ts';
import { createTempProject, snapshot, type TempProject } from './test-harness.ts';

let project: TempProject;
beforeEach(async () => {
  project = await createTempProject();
});
afterEach(async () => {
  await project.cleanup();
});

const read = (rel: string, options: { maxBytes?: number; limit?: number; dryRun?: boolean } = {}) =>
  readFileHandler.execute(
    { path: rel, maxBytes: options.maxBytes },
    project.ctx(rel, { dryRun: options.dryRun ?? false, ...(options.limit === undefined ? {} : { maxContentBytes: options.limit }) }),
  );

describe('read_file', () => {
  it('reads a UTF-8 file whole', async () => {
    await writeFile(path.join(project.root, 'a.txt'), 'héllo\n');
    expect(await read('a.txt')).toEqual({ ok: true, output: { content: 'héllo\n', bytes: 7, truncated: false } });
  });

  it('reads the same in a dry run and changes nothing', async () => {
    await writeFile(path.join(project.root, 'a.txt'), 'text');
    const before = await snapshot(project.root);
    expect(await read('a.txt', { dryRun: true })).toEqual({ ok: true, output: { content: 'text', bytes: 4, truncated: false } });
    expect(await snapshot(project.root)).toEqual(before);
  });

  it('refuses a file over the content limit unless max_bytes is given', async () => {
    await writeFile(path.join(project.root, 'big.txt'), 'x'.repeat(11));
    await expect(read('big.txt', { limit: 10 })).rejects.toThrow(`read_file: "${project.root}/big.txt" is 11 bytes, over the 10-byte content limit; pass max_bytes to read only its start`);
    expect(await read('big.txt', { limit: 10, maxBytes: 4 })).toEqual({ ok: true, output: { content: 'xxxx', bytes: 4, truncated: true } });
  });

  it('reads a file exactly at the limit whole', async () => {
    await writeFile(path.join(project.root, 'edge.txt'), 'x'.repeat(10));
    expect(await read('edge.txt', { limit: 10 })).toEqual({ ok: true, output: { content: 'x'.repeat(10), bytes: 10, truncated: false } });
  });

  it('caps max_bytes at the content limit', async () => {
    await writeFile(path.join(project.root, 'big.txt'), 'x'.repeat(20));
    expect(await read('big.txt', { limit: 10, maxBytes: 15 })).toEqual({ ok: true, output: { content: 'x'.repeat(10), bytes: 10, truncated: true } });
  });

  it('truncates on a whole character, never inside one', async () => {
    await writeFile(path.join(project.root, 'u.txt'), 'aé😀b'); // a(1) é(2) 😀(4) b(1)
    expect((await read('u.txt', { maxBytes: 2 })).output).toEqual({ content: 'a', bytes: 1, truncated: true });
    expect((await read('u.txt', { maxBytes: 3 })).output).toEqual({ content: 'aé', bytes: 3, truncated: true });
    expect((await read('u.txt', { maxBytes: 6 })).output).toEqual({ content: 'aé', bytes: 3, truncated: true });
    expect((await read('u.txt', { maxBytes: 7 })).output).toEqual({ content: 'aé😀', bytes: 7, truncated: true });
    expect((await read('u.txt', { maxBytes: 8 })).output).toEqual({ content: 'aé😀b', bytes: 8, truncated: false });
  });

  it('refuses a directory', async () => {
    await mkdir(path.join(project.root, 'src'));
    await expect(read('src')).rejects.toThrow(`read_file: "${project.root}/src" is a directory, not a regular file`);
  });

  it('refuses a FIFO without waiting for a writer', async () => {
    execFileSync('mkfifo', [path.join(project.root, 'pipe')]);
    await expect(read('pipe')).rejects.toThrow(`read_file: "${project.root}/pipe" is a FIFO, not a regular file`);
  });

  it('refuses a symlink at the final component, even to a file inside the root', async () => {
    await writeFile(path.join(project.root, 'real.txt'), 'inside');
    await symlink(path.join(project.root, 'real.txt'), path.join(project.root, 'link.txt'));
    await expect(read('link.txt')).rejects.toThrow(`read_file: "${project.root}/link.txt" is a symbolic link; the gateway passes resolved paths, so it was replaced after the check and is refused`);
  });

  it('refuses a file reached through a symlinked directory', async () => {
    await writeFile(path.join(project.outside, 'secret.txt'), 'secret');
    await symlink(project.outside, path.join(project.root, 'escape'));
    await expect(read('escape/secret.txt')).rejects.toThrow(`read_file: directory "${project.root}/escape" now resolves to "${project.outside}"`);
  });

  it('refuses a hard link to a file outside the root, and any file with a second link', async () => {
    await writeFile(path.join(project.outside, 'secret.txt'), 'secret');
    await link(path.join(project.outside, 'secret.txt'), path.join(project.root, 'alias.txt'));
    await expect(read('alias.txt')).rejects.toThrow(
      `read_file: "${project.root}/alias.txt" has 2 hard links; a file with another name may lie outside the project or behind a protected path, so its content is not read`,
    );
    await writeFile(path.join(project.root, 'a.txt'), 'inside');
    await link(path.join(project.root, 'a.txt'), path.join(project.root, 'b.txt'));
    await expect(read('a.txt')).rejects.toThrow('has 2 hard links');
    // Once the other name is gone the file is an ordinary one again.
    await unlink(path.join(project.root, 'b.txt'));
    expect(await read('a.txt')).toEqual({ ok: true, output: { content: 'inside', bytes: 6, truncated: false } });
  });

  it('says when the file does not exist', async () => {
    await expect(read('missing.txt')).rejects.toThrow(`read_file: "${project.root}/missing.txt" does not exist`);
  });
});

describe('read_file params', () => {
  it('reads path and an optional max_bytes', () => {
    expect(parseReadFileParams({ path: 'a.txt' })).toEqual({ path: 'a.txt', maxBytes: undefined });
    expect(parseReadFileParams({ path: 'a.txt', max_bytes: 100 })).toEqual({ path: 'a.txt', maxBytes: 100 });
  });

  it('names every bad parameter and what arrived', () => {
    expect(() => parseReadFileParams({})).toThrow("read_file: 'path' is required (a non-empty string)");
    expect(() => parseReadFileParams({ path: '' })).toThrow(`read_file: 'path' must be a non-empty string, got ""`);
    expect(() => parseReadFileParams({ path: 7 })).toThrow("read_file: 'path' must be a non-empty string, got 7");
    expect(() => parseReadFileParams({ path: 'a.txt', max_bytes: 0 })).toThrow("read_file: 'max_bytes' must be an integer from 1 to 1073741824, got 0");
    expect(() => parseReadFileParams({ path: 'a.txt', max_bytes: 1.5, offset: 3 })).toThrow(
      "read_file: unknown parameter 'offset' (known parameters: path, max_bytes); 'max_bytes' must be an integer from 1 to 1073741824, got 1.5",
    );
  });

  it('refuses params that are not an object', () => {
    expect(() => parseReadFileParams('a.txt')).toThrow(`read_file: params must be an object with 'path', 'max_bytes', got "a.txt"`);
    expect(() => parseReadFileParams(null)).toThrow("read_file: params must be an object with 'path', 'max_bytes', got null");
    expect(() => parseReadFileParams(['a.txt'])).toThrow(`read_file: params must be an object with 'path', 'max_bytes', got ["a.txt"]`);
  });

  it('refuses a path with a NUL character', () => {
    expect(() => parseReadFileParams({ path: 'a\u0000.txt' })).toThrow(`read_file: 'path' must not contain a NUL character, got "a\\u0000.txt"`);
  });

  it('names the path through pathOf', () => {
    expect(readFileHandler.pathOf?.(parseReadFileParams({ path: 'src/a.ts' }))).toBe('src/a.ts');
  });
});
