import { chmod, link, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPatchFileHandler, parsePatchFileParams } from './patch-file.ts';
import { createPathQueue } from './path-queue.ts';
import { createTempProject, snapshot, tempFilesIn, type TempProject } from './test-harness.ts';
import { createWriteFileHandler } from './write-file.ts';

let project: TempProject;
let file: string;
beforeEach(async () => {
  project = await createTempProject();
  file = path.join(project.root, 'app.ts');
});
afterEach(async () => {
  await project.cleanup();
});

const patch = (oldString: string, newString: string, options: { dryRun?: boolean; limit?: number } = {}) =>
  createPatchFileHandler(createPathQueue()).execute(
    { path: 'app.ts', oldString, newString },
    project.ctx('app.ts', { dryRun: options.dryRun ?? false, ...(options.limit === undefined ? {} : { maxContentBytes: options.limit }) }),
  );

describe('patch_file', () => {
  it('replaces the one occurrence and keeps the file mode', async () => {
    await writeFile(file, 'const a = 1;\nconst b = 2;\n');
    await chmod(file, 0o600);
    expect(await patch('const b = 2;', 'const b = 3;')).toEqual({ ok: true, output: { bytesWritten: 26 } });
    expect(await readFile(file, 'utf8')).toBe('const a = 1;\nconst b = 3;\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await tempFilesIn(project.root)).toEqual([]);
  });

  it('writes replacement patterns such as $& literally', async () => {
    await writeFile(file, 'price: X\n');
    await patch('X', "$& $' $1 $$");
    expect(await readFile(file, 'utf8')).toBe("price: $& $' $1 $$\n");
  });

  it('deletes text when new_string is empty', async () => {
    await writeFile(file, 'keep DROP keep');
    expect(await patch(' DROP', '')).toEqual({ ok: true, output: { bytesWritten: 9 } });
    expect(await readFile(file, 'utf8')).toBe('keep keep');
  });

  it('refuses when old_string does not occur, changing nothing', async () => {
    await writeFile(file, 'alpha');
    const before = await snapshot(project.root);
    await expect(patch('beta', 'gamma')).rejects.toThrow(`patch_file: old_string not found in "${file}"`);
    expect(await snapshot(project.root)).toEqual(before);
  });

  it('refuses when old_string occurs twice, naming the count', async () => {
    await writeFile(file, 'x = 1; x = 1;');
    const before = await snapshot(project.root);
    await expect(patch('x = 1;', 'x = 2;')).rejects.toThrow(
      `patch_file: old_string occurs 2 times in "${file}"; it must occur exactly once, so include more of the surrounding text`,
    );
    expect(await snapshot(project.root)).toEqual(before);
  });

  it('counts overlapping occurrences as ambiguous', async () => {
    await writeFile(file, 'aaa');
    await expect(patch('aa', 'b')).rejects.toThrow('patch_file: old_string occurs 2 times');
  });

  it('returns the would-be size in a dry run and changes nothing', async () => {
    await writeFile(file, 'hello world');
    const before = await snapshot(project.root);
    expect(await patch('world', 'wörld!', { dryRun: true })).toEqual({ ok: true, output: { wouldWrite: 13 } });
    expect(await snapshot(project.root)).toEqual(before);
  });

  it('refuses a result over the content limit', async () => {
    await writeFile(file, 'short');
    await expect(patch('short', 'much longer', { limit: 8 })).rejects.toThrow('patch_file: the patched file is 11 bytes, over the 8-byte content limit');
    expect(await readFile(file, 'utf8')).toBe('short');
  });

  it('refuses a file over the content limit before patching it', async () => {
    await writeFile(file, 'x'.repeat(20));
    await expect(patch('x'.repeat(20), 'y', { limit: 10 })).rejects.toThrow(`patch_file: "${file}" is over the 10-byte content limit`);
  });

  it('refuses a file that is not valid UTF-8', async () => {
    await writeFile(file, Buffer.from([0x61, 0xff, 0x62]));
    await expect(patch('a', 'c')).rejects.toThrow(`patch_file: "${file}" is not valid UTF-8 text, so it cannot be patched`);
  });

  it('refuses a hard link to a file outside the root, so it cannot probe that file for a string', async () => {
    const secret = path.join(project.outside, 'secret.txt');
    await writeFile(secret, 'token=abc');
    await link(secret, file);
    await expect(patch('token=abc', 'x')).rejects.toThrow(`patch_file: "${file}" has 2 hard links`);
    expect(await readFile(secret, 'utf8')).toBe('token=abc');
    expect((await stat(file)).ino).toBe((await stat(secret)).ino);
  });

  it('keeps a byte-order mark', async () => {
    await writeFile(file, '\ufeffone two');
    await patch('two', 'three');
    expect(await readFile(file)).toEqual(Buffer.from('\ufeffone three', 'utf8'));
  });

  it('refuses a symlink at the final component and leaves its target alone', async () => {
    const outsideFile = path.join(project.outside, 'secret.txt');
    await writeFile(outsideFile, 'token=abc');
    await symlink(outsideFile, file);
    await expect(patch('abc', 'xyz')).rejects.toThrow(`patch_file: "${file}" is a symbolic link`);
    expect(await readFile(outsideFile, 'utf8')).toBe('token=abc');
  });

  it('runs patches and writes to one file in the order they arrived', async () => {
    const queue = createPathQueue();
    const patcher = createPatchFileHandler(queue);
    const writer = createWriteFileHandler(queue);
    const slots = Array.from({ length: 20 }, (_, i) => `slot-${i};`);
    await writeFile(file, slots.join('\n'));
    const patchSlot = (i: number) => patcher.execute({ path: 'app.ts', oldString: `slot-${i};`, newString: `done-${i};` }, project.ctx('app.ts'));
    const first = slots.slice(0, 10).map((_, i) => patchSlot(i));
    // A write queued after ten patches replaces the file; the ten patches queued after it find nothing.
    const reset = writer.execute({ path: 'app.ts', content: 'reset', createDirs: false }, project.ctx('app.ts'));
    const last = slots.slice(10).map((_, i) => patchSlot(10 + i));
    const results = await Promise.allSettled([...first, reset, ...last]);
    expect(results.map((r) => r.status)).toEqual([...Array(11).fill('fulfilled'), ...Array(10).fill('rejected')]);
    expect(await readFile(file, 'utf8')).toBe('reset');
    expect(await readdir(project.root)).toEqual(['app.ts']);
  });

  it('serialises concurrent patches to one file so no edit is lost', async () => {
    const patcher = createPatchFileHandler(createPathQueue());
    const slots = Array.from({ length: 20 }, (_, i) => `slot-${i};`);
    await writeFile(file, slots.join('\n'));
    await Promise.all(slots.map((slot, i) => patcher.execute({ path: 'app.ts', oldString: slot, newString: `done-${i};` }, project.ctx('app.ts'))));
    expect(await readFile(file, 'utf8')).toBe(slots.map((_, i) => `done-${i};`).join('\n'));
    expect(await readdir(project.root)).toEqual(['app.ts']);
  });
});

describe('patch_file params', () => {
  it('reads path, old_string and new_string', () => {
    expect(parsePatchFileParams({ path: 'a.ts', old_string: 'a', new_string: '' })).toEqual({ path: 'a.ts', oldString: 'a', newString: '' });
  });

  it('names every bad parameter and what arrived', () => {
    expect(() => parsePatchFileParams({ path: 'a.ts', old_string: '', new_string: 'x' })).toThrow(`patch_file: 'old_string' must be a non-empty string, got ""`);
    expect(() => parsePatchFileParams({ path: 'a.ts', old_string: 'x' })).toThrow("patch_file: 'new_string' is required (a string)");
    expect(() => parsePatchFileParams({ old_string: 'x', new_string: null })).toThrow(
      "patch_file: 'path' is required (a non-empty string); 'new_string' must be a string, got null",
    );
  });
});
