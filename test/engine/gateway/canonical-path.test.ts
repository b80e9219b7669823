import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalizePolicyPath, canonicalizeTarget, createPathResolver, isWithin } from '../../../src/engine/gateway/canonical-path.ts';

/**
 * A real tree: <base>/proj (the root), <base>/proj-evil (a sibling sharing the prefix), <base>/outside,
 * symlinks inside the root pointing in and out, and <base>/proj-link (a symlink to the root itself).
 */
let base: string;
let root: string;

beforeAll(() => {
  base = realpathSync(mkdtempSync(path.join(tmpdir(), 'gatehouse-paths-')));
  root = path.join(base, 'proj');
  mkdirSync(path.join(root, 'docs', 'releases'), { recursive: true });
  mkdirSync(path.join(root, 'src'));
  mkdirSync(path.join(base, 'proj-evil'));
  mkdirSync(path.join(base, 'outside'));
  writeFileSync(path.join(root, 'docs', 'readme.md'), 'hi');
  writeFileSync(path.join(base, 'outside', 'secret.txt'), 'no');
  symlinkSync(path.join(base, 'outside'), path.join(root, 'link-out'));
  symlinkSync(path.join(base, 'outside', 'secret.txt'), path.join(root, 'docs', 'file-link-out'));
  symlinkSync('docs', path.join(root, 'link-in'));
  symlinkSync('../../outside/not-yet', path.join(root, 'docs', 'dangling-out'));
  symlinkSync('releases/next.md', path.join(root, 'docs', 'dangling-in'));
  symlinkSync('loop-b', path.join(root, 'loop-a'));
  symlinkSync('loop-a', path.join(root, 'loop-b'));
  symlinkSync(root, path.join(base, 'proj-link'));
});
afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

async function resolved(requested: string, projectRoot = root): Promise<string> {
  const result = await canonicalizeTarget(requested, projectRoot);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(requested)} to resolve, got ${result.code}: ${result.message}`);
  return result.path;
}

async function refused(requested: string): Promise<{ code: string; message: string }> {
  const result = await canonicalizeTarget(requested, root);
  if (result.ok) throw new Error(`expected ${JSON.stringify(requested)} to be refused, got ${result.path}`);
  return { code: result.code, message: result.message };
}

describe('canonicalizeTarget', () => {
  it('resolves relative paths against the root, existing or not, and strips trailing slashes', async () => {
    expect(await resolved('docs/readme.md')).toBe(path.join(root, 'docs/readme.md'));
    expect(await resolved('docs/new/deeper/file.md')).toBe(path.join(root, 'docs/new/deeper/file.md'));
    expect(await resolved('docs/')).toBe(path.join(root, 'docs'));
    expect(await resolved('./docs//releases/')).toBe(path.join(root, 'docs/releases'));
    expect(await resolved('.')).toBe(root);
    expect(await resolved(path.join(root, 'src', 'a.ts'))).toBe(path.join(root, 'src/a.ts'));
  });

  it.each(['../x', 'a/../../x', './../x', 'docs/../../x', '../proj-evil/x', '..', 'docs/../..//x/'])('refuses the escape %j as path_outside_root', async (p) => {
    expect((await refused(p)).code).toBe('path_outside_root');
  });

  it('allows .. that stays inside the root', async () => {
    expect(await resolved('docs/../src/./a.ts')).toBe(path.join(root, 'src/a.ts'));
  });

  it('refuses absolute paths outside the root, naming the path and the root', async () => {
    expect(await refused('/etc/passwd')).toEqual({ code: 'path_outside_root', message: `path "/etc/passwd" resolves to /etc/passwd, outside the project root ${root}` });
  });

  it('refuses a sibling directory that merely shares the root as a string prefix', async () => {
    expect((await refused(path.join(base, 'proj-evil', 'x'))).code).toBe('path_outside_root');
    expect((await refused(`${root}-evil/x`)).code).toBe('path_outside_root');
  });

  it('takes percent-encoding literally: %2e%2e is a file name inside the root', async () => {
    expect(await resolved('%2e%2e/%2e%2e/etc/passwd')).toBe(path.join(root, '%2e%2e/%2e%2e/etc/passwd'));
    expect(await resolved('..%2fx')).toBe(path.join(root, '..%2fx'));
  });

  it('refuses a symlink inside the root that points outside it', async () => {
    expect(await refused('link-out/secret.txt')).toEqual({
      code: 'path_outside_root',
      message: `path "link-out/secret.txt" resolves through a symlink to ${path.join(base, 'outside', 'secret.txt')}, outside the project root ${root}`,
    });
    expect((await refused('link-out/new-file')).code).toBe('path_outside_root');
    expect((await refused('docs/file-link-out')).code).toBe('path_outside_root');
  });

  it('follows a dangling symlink: a write through it would land where it points', async () => {
    expect((await refused('docs/dangling-out')).code).toBe('path_outside_root');
    expect(await resolved('docs/dangling-in')).toBe(path.join(root, 'docs/releases/next.md'));
  });

  it('resolves a symlink to another directory inside the root to that directory', async () => {
    expect(await resolved('link-in/readme.md')).toBe(path.join(root, 'docs/readme.md'));
    expect(await resolved('link-in')).toBe(path.join(root, 'docs'));
  });

  it('resolves a symlink two or more components below the root, and a file used as a directory, alone or through a decision\'s resolver', async () => {
    const nested = path.join(root, 'src', 'deep', 'er');
    mkdirSync(nested, { recursive: true });
    symlinkSync('../../../docs', path.join(nested, 'to-docs'));
    symlinkSync(path.join(base, 'outside'), path.join(nested, 'to-outside'));
    try {
      const alone = async (p: string) => canonicalizeTarget(p, root);
      // A fresh resolver per path, as each decision has its own.
      const throughResolver = async (p: string) => createPathResolver(root).target(p);
      for (const answer of [alone, throughResolver]) {
        expect(await answer('src/deep/er/to-docs/readme.md')).toEqual({ ok: true, path: path.join(root, 'docs/readme.md') });
        expect(await answer('src/deep/er/to-docs/new/file.md')).toEqual({ ok: true, path: path.join(root, 'docs/new/file.md') });
        expect((await answer('src/deep/er/to-outside/secret.txt')).ok).toBe(false);
        expect((await answer('src/deep/er/to-outside/secret.txt') as { code: string }).code).toBe('path_outside_root');
        // readme.md is a file: nothing can exist below it, so the rest is taken as written.
        expect(await answer('docs/readme.md/x')).toEqual({ ok: true, path: path.join(root, 'docs/readme.md/x') });
        expect(await answer('src/deep/missing/x')).toEqual({ ok: true, path: path.join(root, 'src/deep/missing/x') });
      }
    } finally {
      rmSync(path.join(root, 'src', 'deep'), { recursive: true, force: true });
    }
  });

  it('canonicalises the root itself, so a root given through a symlink works', async () => {
    expect(await resolved('docs/readme.md', path.join(base, 'proj-link'))).toBe(path.join(root, 'docs/readme.md'));
    expect(await resolved(path.join(base, 'proj-link', 'src'), root)).toBe(path.join(root, 'src'));
  });

  it('refuses NUL and control characters as invalid_params, saying which', async () => {
    expect(await refused('docs/a\u0000b')).toEqual({ code: 'invalid_params', message: 'path contains a control character (U+0000) at index 6: "docs/a\\u0000b"' });
    for (const p of ['docs/\nx', 'docs/\tx', 'docs/\u001bx', 'docs/\u007fx', 'docs/\u0085x']) expect((await refused(p)).code).toBe('invalid_params');
    expect(await refused('')).toEqual({ code: 'invalid_params', message: 'path is empty' });
  });

  it('normalises Unicode to NFC: a decomposed é names the same file as a composed one', async () => {
    const composed = await resolved('docs/caf\u00e9.md');
    expect(await resolved('docs/cafe\u0301.md')).toBe(composed);
    expect(composed).toBe(path.join(root, 'docs/caf\u00e9.md'));
  });

  it('refuses over-long paths and components', async () => {
    expect(await refused(`docs/${'a'.repeat(256)}`)).toMatchObject({ code: 'invalid_params', message: expect.stringContaining('component longer than 255 bytes') });
    expect((await resolved(`docs/${'a'.repeat(255)}`)).endsWith('a'.repeat(255))).toBe(true);
    // 128 three-byte characters are 384 bytes: counted in bytes, not characters.
    expect((await refused(`docs/${'€'.repeat(128)}`)).code).toBe('invalid_params');
    expect(await refused(`docs/${'abcdefgh/'.repeat(460)}`)).toMatchObject({ code: 'invalid_params', message: 'path is longer than 4096 bytes' });
  });

  it('refuses a symlink loop', async () => {
    expect(await refused('loop-a/x')).toMatchObject({ code: 'invalid_params', message: expect.stringContaining('symlink') });
  });

  it('treats a root that does not exist as holding nothing', async () => {
    const result = await canonicalizeTarget('docs', path.join(base, 'no-such-root'));
    expect(result).toMatchObject({ ok: false, code: 'path_outside_root' });
  });
});

describe('canonicalizePolicyPath', () => {
  it('resolves entries like targets, symlinks included', () => {
    expect(canonicalizePolicyPath('docs/', root)).toEqual({ ok: true, path: path.join(root, 'docs') });
    expect(canonicalizePolicyPath('link-in/', root)).toEqual({ ok: true, path: path.join(root, 'docs') });
    expect(canonicalizePolicyPath(path.join(root, 'src'), root)).toEqual({ ok: true, path: path.join(root, 'src') });
  });

  it('reports an entry outside the root, which then matches nothing', () => {
    expect(canonicalizePolicyPath('../outside', root)).toMatchObject({ ok: false, code: 'path_outside_root' });
    expect(canonicalizePolicyPath('link-out', root)).toMatchObject({ ok: false, code: 'path_outside_root' });
  });
});

describe('createPathResolver', () => {
  it('answers like canonicalizePolicyPath, once per decision: a link moved afterwards is seen by the next decision only', () => {
    const movable = path.join(root, 'movable');
    symlinkSync('docs', movable);
    try {
      const decision = createPathResolver(root);
      expect(decision.root()).toBe(root);
      expect(decision.policyPath('movable/')).toEqual(canonicalizePolicyPath('movable/', root));
      expect(decision.policyPath('movable/')).toEqual({ ok: true, path: path.join(root, 'docs') });
      rmSync(movable);
      symlinkSync('src', movable);
      expect(decision.policyPath('movable/')).toEqual({ ok: true, path: path.join(root, 'docs') });
      expect(createPathResolver(root).policyPath('movable/')).toEqual({ ok: true, path: path.join(root, 'src') });
    } finally {
      rmSync(movable, { force: true });
    }
  });

  it('reports a root that does not resolve as null, and entries under it as outside the root', () => {
    const decision = createPathResolver(path.join(base, 'no-such-root'));
    expect(decision.root()).toBeNull();
    expect(decision.policyPath('docs/')).toMatchObject({ ok: false, code: 'path_outside_root' });
  });
});

describe('isWithin', () => {
  it('compares whole components', () => {
    expect(isWithin('/proj/a', '/proj')).toBe(true);
    expect(isWithin('/proj', '/proj')).toBe(true);
    expect(isWithin('/proj-evil/a', '/proj')).toBe(false);
    expect(isWithin('/projx', '/proj')).toBe(false);
    expect(isWithin('/proj', '/proj/a')).toBe(false);
    expect(isWithin('/anything', '/')).toBe(true);
  });
});
