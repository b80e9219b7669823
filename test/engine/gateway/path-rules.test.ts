import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPathResolver } from '../../../src/engine/gateway/canonical-path.ts';
import { matchesComponent, matchesGlob } from '../../../src/engine/gateway/path-glob.ts';
import { checkJurisdictionPaths, checkProtected, checkSpecPaths, matchesApprovalRule } from '../../../src/engine/gateway/path-rules.ts';
import type { ApprovalRule, Jurisdiction, Spec } from '../../../src/engine/gateway/policy.ts';

let base: string;
let root: string;
const at = (rel: string) => path.join(root, rel);

beforeAll(() => {
  base = realpathSync(mkdtempSync(path.join(tmpdir(), 'gatehouse-rules-')));
  root = path.join(base, 'proj');
  mkdirSync(path.join(root, 'documentation', 'releases'), { recursive: true });
  mkdirSync(path.join(root, 'src'), { recursive: true });
  mkdirSync(path.join(base, 'outside'));
  symlinkSync('documentation', path.join(root, 'docs'));
  symlinkSync(path.join(base, 'outside'), path.join(root, 'elsewhere'));
  symlinkSync('loop-b', path.join(root, 'loop-a'));
  symlinkSync('loop-a', path.join(root, 'loop-b'));
});
afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

const spec = (paths: string[]): Spec => ({ id: 'SPEC-DOCS', title: 'Docs', status: 'active', roles: ['developer'], actionTypes: ['write_file'], paths });
const jurisdiction = (paths: string[]): Jurisdiction => ({ role: 'developer', paths, actionTypes: ['write_file'] });
const rule = (id: string, actions: string[], paths: string[]): ApprovalRule => ({ id, actions, paths, description: id });

describe('checkSpecPaths and checkJurisdictionPaths', () => {
  it('allow a target inside one of the paths, a directory covering its subtree', () => {
    expect(checkSpecPaths(at('src/a/b.ts'), spec(['docs/', 'src/']), createPathResolver(root))).toBeNull();
    expect(checkSpecPaths(at('src'), spec(['src']), createPathResolver(root))).toBeNull();
    expect(checkJurisdictionPaths(at('src/x'), jurisdiction(['src/']), createPathResolver(root))).toBeNull();
  });

  it('compare a symlinked entry by where it points, like the target', () => {
    // `docs` is a link to `documentation`; the canonical target is under documentation/.
    expect(checkSpecPaths(at('documentation/readme.md'), spec(['docs/']), createPathResolver(root))).toBeNull();
  });

  it('deny a target outside every path, naming the spec or role and its paths', () => {
    expect(checkSpecPaths(at('secrets/key'), spec(['docs/', 'src/']), createPathResolver(root))).toEqual({
      code: 'path_outside_jurisdiction',
      message: `path ${at('secrets/key')} is outside the paths of spec SPEC-DOCS (docs/, src/)`,
    });
    expect(checkJurisdictionPaths(at('secrets/key'), jurisdiction([]), createPathResolver(root))).toEqual({
      code: 'path_outside_jurisdiction',
      message: `path ${at('secrets/key')} is outside the jurisdiction of role developer (none)`,
    });
  });

  it('compare by whole components, not string prefixes', () => {
    expect(checkSpecPaths(at('src-evil/x'), spec(['src']), createPathResolver(root))?.code).toBe('path_outside_jurisdiction');
  });

  it('let an entry outside the root, or one that cannot be resolved, allow nothing', () => {
    expect(checkSpecPaths(at('src/x'), spec(['../', 'elsewhere/', 'loop-a/']), createPathResolver(root))?.code).toBe('path_outside_jurisdiction');
  });

  it('refuse a target that is not inside the root at all', () => {
    expect(checkSpecPaths('/etc/passwd', spec(['/']), createPathResolver(root))?.code).toBe('path_outside_root');
    expect(checkJurisdictionPaths(`${root}-evil/x`, jurisdiction(['/']), createPathResolver(root))?.code).toBe('path_outside_root');
  });
});

describe('checkProtected', () => {
  const protectedPaths = ['.git/', 'policy/', 'secrets/keys'];
  const keep = { deleting: false };

  it('denies the protected path itself and anything inside it', () => {
    expect(checkProtected(at('.git'), protectedPaths, createPathResolver(root), keep)).toEqual({ code: 'path_protected', message: `path ${at('.git')} is protected` });
    expect(checkProtected(at('.git/config'), protectedPaths, createPathResolver(root), keep)).toEqual({ code: 'path_protected', message: `path ${at('.git/config')} is protected (inside ".git/")` });
  });

  it('allows neighbours, including ones that share a string prefix', () => {
    expect(checkProtected(at('.gitignore'), protectedPaths, createPathResolver(root), keep)).toBeNull();
    expect(checkProtected(at('policy-notes.md'), protectedPaths, createPathResolver(root), keep)).toBeNull();
    expect(checkProtected(at('secrets/other'), protectedPaths, createPathResolver(root), keep)).toBeNull();
  });

  it('denies deleting a parent of a protected path, but not writing inside that parent', () => {
    expect(checkProtected(at('secrets'), protectedPaths, createPathResolver(root), { deleting: true })).toEqual({
      code: 'path_protected',
      message: `deleting ${at('secrets')} would remove the protected path "secrets/keys" inside it`,
    });
    expect(checkProtected(root, protectedPaths, createPathResolver(root), { deleting: true })?.code).toBe('path_protected');
    expect(checkProtected(at('secrets'), protectedPaths, createPathResolver(root), keep)).toBeNull();
    expect(checkProtected(at('secrets/other'), protectedPaths, createPathResolver(root), { deleting: true })).toBeNull();
  });

  it('protects through a symlinked entry', () => {
    expect(checkProtected(at('documentation/releases/v1.md'), ['docs/releases'], createPathResolver(root), keep)?.code).toBe('path_protected');
  });

  it('treats everything as protected while a protected entry cannot be resolved', () => {
    expect(checkProtected(at('src/a.ts'), ['loop-a/x'], createPathResolver(root), keep)).toMatchObject({ code: 'path_protected', message: expect.stringContaining('cannot be resolved') });
  });

  it('ignores a protected entry outside the root: no target inside the root can be in it', () => {
    expect(checkProtected(at('src/a.ts'), ['../outside', 'elsewhere'], createPathResolver(root), { deleting: true })).toBeNull();
  });
});

describe('matchesApprovalRule', () => {
  const rules = [rule('deletes-need-approval', ['delete_file'], []), rule('release-notes', ['write_file'], ['docs/releases/**'])];

  it('matches a rule by action anywhere, pathless actions included', () => {
    expect(matchesApprovalRule('delete_file', at('src/a.ts'), rules, createPathResolver(root))?.id).toBe('deletes-need-approval');
    expect(matchesApprovalRule('delete_file', null, rules, createPathResolver(root))?.id).toBe('deletes-need-approval');
  });

  it('matches a rule by action and glob, through the symlinked literal prefix', () => {
    expect(matchesApprovalRule('write_file', at('documentation/releases/v1.md'), rules, createPathResolver(root))?.id).toBe('release-notes');
    expect(matchesApprovalRule('write_file', at('documentation/releases/2025/q1/v1.md'), rules, createPathResolver(root))?.id).toBe('release-notes');
    expect(matchesApprovalRule('write_file', at('documentation/readme.md'), rules, createPathResolver(root))).toBeNull();
    expect(matchesApprovalRule('read_file', at('documentation/releases/v1.md'), rules, createPathResolver(root))).toBeNull();
  });

  it('never matches a path glob for a pathless action', () => {
    expect(matchesApprovalRule('write_file', null, rules, createPathResolver(root))).toBeNull();
  });

  it('returns the first matching rule in file order; empty actions mean any action', () => {
    const all = [rule('src-any', [], ['src/*.ts']), rule('later', [], [])];
    expect(matchesApprovalRule('patch_file', at('src/a.ts'), all, createPathResolver(root))?.id).toBe('src-any');
    expect(matchesApprovalRule('patch_file', at('src/deep/a.ts'), all, createPathResolver(root))?.id).toBe('later');
  });

  it('asks for approval when a glob prefix cannot be resolved (fail-closed)', () => {
    expect(matchesApprovalRule('write_file', at('src/a.ts'), [rule('broken', [], ['loop-a/**'])], createPathResolver(root))?.id).toBe('broken');
  });
});

describe('glob matching', () => {
  it('matches * within one component only', () => {
    expect(matchesComponent('*.md', 'notes.md')).toBe(true);
    expect(matchesComponent('*.md', '.md')).toBe(true);
    expect(matchesComponent('a*b*c', 'abc')).toBe(true);
    expect(matchesComponent('a*b*c', 'aXbYc')).toBe(true);
    expect(matchesComponent('a*b*c', 'acb')).toBe(false);
    expect(matchesComponent('ab*ba', 'aba')).toBe(false);
    expect(matchesGlob(['docs', '*.md'], ['docs', 'a', 'b.md'])).toBe(false);
  });

  it('matches ** across any number of components, zero included', () => {
    expect(matchesGlob(['docs', '**'], ['docs'])).toBe(true);
    expect(matchesGlob(['docs', '**', 'notes.md'], ['docs', 'notes.md'])).toBe(true);
    expect(matchesGlob(['docs', '**', 'notes.md'], ['docs', 'a', 'b', 'notes.md'])).toBe(true);
    expect(matchesGlob(['**', '*.key'], ['a', 'b', 'c.key'])).toBe(true);
    expect(matchesGlob(['**', '*.key'], ['a', 'b', 'c.pem'])).toBe(false);
  });

  it('treats every other character literally', () => {
    expect(matchesComponent('a?c', 'abc')).toBe(false);
    expect(matchesComponent('a?c', 'a?c')).toBe(true);
    expect(matchesComponent('[ab]', 'a')).toBe(false);
    expect(matchesComponent('{a,b}', '{a,b}')).toBe(true);
  });

  it('decides globs with many ** components (no exponential backtracking)', () => {
    const glob = [...Array.from({ length: 30 }, () => '**'), 'x'];
    expect(matchesGlob(glob, Array.from({ length: 200 }, () => 'a'))).toBe(false);
  });
});
