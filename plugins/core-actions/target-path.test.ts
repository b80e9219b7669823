import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ActionContext } from '../../src/plugins/api.ts';
import { isInside, requireTargetPath } from './target-path.ts';

const ctx = (targetPath: string | null, projectRoot = '/srv/proj'): ActionContext => ({ projectRoot, targetPath, dryRun: false, maxContentBytes: 1024 });

describe('requireTargetPath', () => {
  it('accepts the root itself and paths below it', () => {
    expect(requireTargetPath('read_file', ctx('/srv/proj'))).toBe('/srv/proj');
    expect(requireTargetPath('read_file', ctx('/srv/proj/src/a.ts'))).toBe('/srv/proj/src/a.ts');
    expect(requireTargetPath('read_file', ctx('/etc/passwd', '/'))).toBe('/etc/passwd');
  });

  it('refuses a prefix sibling of the root: components are compared whole', () => {
    expect(() => requireTargetPath('write_file', ctx('/srv/proj-evil/a.txt'))).toThrow(
      'write_file: the target path "/srv/proj-evil/a.txt" is outside the project root "/srv/proj"',
    );
    expect(() => requireTargetPath('write_file', ctx('/srv/proj-evil'))).toThrow('is outside the project root');
    expect(() => requireTargetPath('write_file', ctx('/srv'))).toThrow('is outside the project root');
  });

  it('refuses a NUL character in the target or the root', () => {
    expect(() => requireTargetPath('write_file', ctx('/srv/proj/a\u0000.txt'))).toThrow('write_file: the target path must not contain a NUL character, got "/srv/proj/a\\u0000.txt"');
    expect(() => requireTargetPath('write_file', ctx('/srv/proj/a.txt', '/srv/proj\u0000'))).toThrow('write_file: the project root must not contain a NUL character');
  });

  it('refuses relative and non-normalised paths instead of resolving them', () => {
    expect(() => requireTargetPath('write_file', ctx('src/a.ts'))).toThrow('write_file: the target path must be absolute, got "src/a.ts"');
    expect(() => requireTargetPath('write_file', ctx('/srv/proj/../etc/passwd'))).toThrow(
      `write_file: the target path must be in normal form (no '.', '..', repeated or trailing separators), got "/srv/proj/../etc/passwd"`,
    );
    expect(() => requireTargetPath('write_file', ctx('/srv/proj//a'))).toThrow('must be in normal form');
    expect(() => requireTargetPath('write_file', ctx('/srv/proj/a/'))).toThrow('must be in normal form');
    expect(() => requireTargetPath('write_file', ctx('/srv/proj/a', 'proj'))).toThrow('write_file: the project root must be absolute, got "proj"');
  });

  it('refuses a missing target path for an action that takes one', () => {
    expect(() => requireTargetPath('delete_file', ctx(null))).toThrow('delete_file: the gateway gave no target path, but this action acts on a path');
    expect(() => requireTargetPath('delete_file', ctx(''))).toThrow('delete_file: the target path must be a non-empty string, got ""');
  });
});

describe('isInside', () => {
  it('compares whole components', () => {
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b', `/a/b${path.sep}c`)).toBe(true);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a')).toBe(false);
    expect(isInside('/', '/anything')).toBe(true);
  });
});
