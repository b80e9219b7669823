import { link as hardLinkAt, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { DenialCode } from '../../src/engine/gateway/decision.ts';
import type { Project, SubmitInput } from './gateway-harness.ts';

/**
 * Hostile paths (issue: "traversal in every spelling, a symlink leading out of the root, a symlink
 * into another role's jurisdiction, a sibling directory sharing a prefix, NUL bytes, Unicode
 * look-alikes, deleting a protected directory's parent"). The root is `<base>/project`, its sibling
 * `<base>/project-evil`, and `<base>/outside` lies beyond both (gateway-harness.ts). Every case must be
 * DENIED with `expectedCode`; paths are taken literally, so percent-encoding and look-alikes name
 * real (root-level, out-of-spec) files rather than escaping anything.
 */
export interface HostileCase {
  name: string;
  /** Which agent token sends it: test-agent (developer) by default, review-bot (reviewer) otherwise. */
  as?: 'developer' | 'reviewer';
  input: Partial<SubmitInput> | ((p: Project) => Partial<SubmitInput>);
  /** Prepares the tree (a symlink or hard link) before the snapshot is taken. */
  setup?(p: Project): Promise<void>;
  expectedCode: DenialCode;
}

export const write = (p: string, content = 'pwned\n'): Partial<SubmitInput> => ({ action: 'write_file', params: { path: p, content } });
export const read = (p: string): Partial<SubmitInput> => ({ action: 'read_file', params: { path: p } });
const remove = (p: string): Partial<SubmitInput> => ({ action: 'delete_file', params: { path: p } });
const list = (p: string): Partial<SubmitInput> => ({ action: 'list_dir', params: { path: p } });
const patch = (p: string): Partial<SubmitInput> => ({ action: 'patch_file', params: { path: p, old_string: 'terms', new_string: 'pwned' } });
/** Creates `<root>/<link>` pointing at `target` (taken as is: relative targets are relative to the link). */
const link = (name: string, target: (p: Project) => string) => (p: Project) => symlink(target(p), path.join(p.root, name));

/** Creates `<root>/<name>` as a second hard link to the file at `target` (an absolute path). */
const hardLink = (name: string, target: (p: Project) => string) => (p: Project) => hardLinkAt(target(p), path.join(p.root, name));

const OUTSIDE_ROOT: DenialCode = 'path_outside_root';
const OUTSIDE_SPEC: DenialCode = 'path_outside_jurisdiction';

export const HOSTILE_PATH_CASES: HostileCase[] = [
  // Traversal, relative.
  { name: 'a plain ../ escape', input: write('../planted.txt'), expectedCode: OUTSIDE_ROOT },
  { name: 'two levels of ../', input: write('../../planted.txt'), expectedCode: OUTSIDE_ROOT },
  { name: 'a bare ..', input: write('..'), expectedCode: OUTSIDE_ROOT },
  { name: '../ with a trailing slash', input: write('../'), expectedCode: OUTSIDE_ROOT },
  { name: './../ spelling', input: write('./../planted.txt'), expectedCode: OUTSIDE_ROOT },
  { name: 'an escape that starts inside docs/', input: write('docs/../../planted.txt'), expectedCode: OUTSIDE_ROOT },
  { name: 'dots mixed with ./ segments', input: write('docs/./../.././planted.txt'), expectedCode: OUTSIDE_ROOT },
  { name: 'an escape through the protected folder', input: write('docs/legal/../../../planted.txt'), expectedCode: OUTSIDE_ROOT },
  { name: 'doubled slashes between dot-dots', input: write('docs/..//..//planted.txt'), expectedCode: OUTSIDE_ROOT },
  { name: 'an escape with a trailing slash', input: write('docs/../../outside/'), expectedCode: OUTSIDE_ROOT },
  { name: 'overwriting an existing file outside the root', input: write('src/../../outside/secret.txt'), expectedCode: OUTSIDE_ROOT },
  { name: 'a deep ../ chain to /etc/passwd (read)', input: read(`${'../'.repeat(30)}etc/passwd`), expectedCode: OUTSIDE_ROOT },
  { name: 'a 1300-fold ../ chain under the length limits', input: write(`docs/${'../'.repeat(1300)}planted.txt`), expectedCode: OUTSIDE_ROOT },
  { name: 'listing the parent of the root', input: list('..'), expectedCode: OUTSIDE_ROOT },
  // Absolute paths.
  { name: 'an absolute path outside the root', input: (p) => write(`${p.outside}/planted.txt`), expectedCode: OUTSIDE_ROOT },
  { name: 'an absolute path that climbs out from inside the root', input: (p) => write(`${p.root}/docs/../../outside/planted.txt`), expectedCode: OUTSIDE_ROOT },
  { name: 'an absolute path with a leading double slash', input: (p) => write(`/${p.outside}/planted.txt`), expectedCode: OUTSIDE_ROOT },
  { name: 'reading /etc/passwd by absolute path', input: read('/etc/passwd'), expectedCode: OUTSIDE_ROOT },
  { name: 'listing /', input: list('/'), expectedCode: OUTSIDE_ROOT },
  { name: 'an absolute path inside the root but outside the spec', input: (p) => write(`${p.root}/README.md`), expectedCode: OUTSIDE_SPEC },
  { name: 'an absolute path into the protected folder', input: (p) => write(`${p.root}/docs/legal/terms.md`), expectedCode: 'path_protected' },
  // A sibling directory sharing the root's name as a prefix (DESIGN §10).
  { name: 'the sibling ../project-evil/', input: write('../project-evil/planted.txt'), expectedCode: OUTSIDE_ROOT },
  { name: 'the sibling by absolute path (<root>-evil)', input: (p) => write(`${p.root}-evil/payload.txt`), expectedCode: OUTSIDE_ROOT },
  { name: 'the sibling reached from inside docs/', input: write('docs/../../project-evil/payload.txt'), expectedCode: OUTSIDE_ROOT },
  // Text taken literally: these name root-level files outside the spec's paths, not parents.
  { name: 'percent-encoded %2e%2e%2f', input: write('%2e%2e%2fplanted.txt'), expectedCode: OUTSIDE_SPEC },
  { name: 'percent-encoded dot-dot folders', input: write('%2e%2e/%2e%2e/planted.txt'), expectedCode: OUTSIDE_SPEC },
  { name: 'an encoded slash after real dots (..%2f)', input: write('..%2f..%2fplanted.txt'), expectedCode: OUTSIDE_SPEC },
  { name: 'double percent-encoding', input: write('%252e%252e%252fplanted.txt'), expectedCode: OUTSIDE_SPEC },
  { name: 'an encoded slash after docs', input: write('docs%2f..%2f..%2fplanted.txt'), expectedCode: OUTSIDE_SPEC },
  { name: 'Windows backslashes', input: write('..\\..\\planted.txt'), expectedCode: OUTSIDE_SPEC },
  { name: 'a tilde home path', input: write('~/planted.txt'), expectedCode: OUTSIDE_SPEC },
  { name: 'a file: URL', input: write('file:///etc/passwd'), expectedCode: OUTSIDE_SPEC },
  // Length limits (Linux PATH_MAX 4096 and NAME_MAX 255, in UTF-8 bytes).
  { name: 'a path over 4096 characters', input: write(`docs/${'a'.repeat(5000)}`), expectedCode: 'invalid_params' },
  { name: 'a path under 4096 characters but over 4096 bytes', input: write(`docs/${'é'.repeat(2100)}`), expectedCode: 'invalid_params' },
  { name: 'a path that resolves to over 4096 bytes', input: write(`docs/${'ab/'.repeat(1360)}x`), expectedCode: 'invalid_params' },
  { name: 'a component of 256 bytes', input: write(`docs/${'a'.repeat(256)}`), expectedCode: 'invalid_params' },
  { name: 'a component of 128 characters but 256 bytes', input: write(`docs/${'é'.repeat(128)}`), expectedCode: 'invalid_params' },
  // NUL and control characters.
  { name: 'a NUL byte in the file name', input: write('docs/x\u0000.md'), expectedCode: 'invalid_params' },
  { name: 'a NUL byte hiding a traversal', input: write('docs/x.md\u0000../../planted.txt'), expectedCode: 'invalid_params' },
  { name: 'a newline', input: write('docs/a\nb.md'), expectedCode: 'invalid_params' },
  { name: 'a tab', input: write('docs/\tx.md'), expectedCode: 'invalid_params' },
  { name: 'an ANSI escape sequence', input: write('docs/\u001b[31mx.md'), expectedCode: 'invalid_params' },
  { name: 'DEL', input: write('docs/x\u007f.md'), expectedCode: 'invalid_params' },
  { name: 'a C1 control (NEL)', input: write('docs/x\u0085.md'), expectedCode: 'invalid_params' },
  { name: 'a lone surrogate', input: write('docs/\ud800.md'), expectedCode: 'invalid_params' },
  // Unicode look-alikes name other folders, none of them in the spec.
  { name: 'a fullwidth solidus (docs／x)', input: write('docs\uff0fx.md'), expectedCode: OUTSIDE_SPEC },
  { name: 'a division slash (docs∕x)', input: write('docs\u2215x.md'), expectedCode: OUTSIDE_SPEC },
  { name: 'a zero-width space inside docs', input: write('d\u200bocs/x.md'), expectedCode: OUTSIDE_SPEC },
  { name: 'a Cyrillic о in docs', input: write('d\u043ecs/x.md'), expectedCode: OUTSIDE_SPEC },
  { name: 'fullwidth letters (ｄｏｃｓ)', input: write('\uff44\uff4f\uff43\uff53/x.md'), expectedCode: OUTSIDE_SPEC },
  { name: 'fullwidth full stops as dot-dot', input: write('\uff0e\uff0e/\uff0e\uff0e/planted.txt'), expectedCode: OUTSIDE_SPEC },
  { name: 'a two-dot leader as dot-dot', input: write('\u2025/planted.txt'), expectedCode: OUTSIDE_SPEC },
  // Symlinks: the canonical target is what is checked.
  { name: 'a directory symlink out of the root', setup: link('docs/out', () => '../../outside'), input: write('docs/out/planted.txt'), expectedCode: OUTSIDE_ROOT },
  { name: 'reading through a symlink out of the root', setup: link('docs/out-r', () => '../../outside'), input: read('docs/out-r/secret.txt'), expectedCode: OUTSIDE_ROOT },
  { name: 'a file symlink to an existing file outside', setup: link('docs/secret-link', (p) => `${p.outside}/secret.txt`), input: write('docs/secret-link'), expectedCode: OUTSIDE_ROOT },
  { name: 'a dangling symlink to a new file outside', setup: link('docs/dangling', (p) => `${p.outside}/not-yet.txt`), input: write('docs/dangling'), expectedCode: OUTSIDE_ROOT },
  { name: 'a symlink into the prefix-sharing sibling', setup: link('docs/evil', () => '../../project-evil'), input: write('docs/evil/payload.txt'), expectedCode: OUTSIDE_ROOT },
  { name: 'a chain of two symlinks leading out', setup: async (p) => (await link('docs/hop2', () => '../../outside')(p), await link('docs/hop1', () => 'hop2')(p)), input: write('docs/hop1/planted.txt'), expectedCode: OUTSIDE_ROOT },
  { name: 'a symlink loop', setup: link('docs/loop', () => 'loop'), input: write('docs/loop/planted.txt'), expectedCode: 'invalid_params' },
  { name: "a symlink into the reviewers' folder (jurisdiction check)", setup: link('docs/peek', () => '../reviewer-only'), input: { specId: 'SPEC-WIDE', ...write('docs/peek/planted.md') }, expectedCode: OUTSIDE_SPEC },
  { name: "a symlink into the reviewers' folder (spec check)", setup: link('src/peek', () => '../reviewer-only'), input: write('src/peek/planted.md'), expectedCode: OUTSIDE_SPEC },
  { name: "the reviewers' folder named directly", input: { specId: 'SPEC-WIDE', ...write('reviewer-only/planted.md') }, expectedCode: OUTSIDE_SPEC },
  { name: 'a symlink onto the protected folder', setup: link('docs/legal-alias', () => 'legal'), input: write('docs/legal-alias/terms.md'), expectedCode: 'path_protected' },
  { name: 'a symlink from src/ into the protected folder', setup: link('src/legal', () => '../docs/legal'), input: write('src/legal/new.md'), expectedCode: 'path_protected' },
  // Hard links: an ordinary file inside the spec to every path check, so the handler refuses to read one.
  { name: 'reading a hard link to a file outside the root', setup: hardLink('docs/alias.md', (p) => `${p.outside}/secret.txt`), input: read('docs/alias.md'), expectedCode: 'handler_failed' },
  { name: 'patching a hard link to the protected terms', setup: hardLink('docs/terms-alias.md', (p) => `${p.root}/docs/legal/terms.md`), input: patch('docs/terms-alias.md'), expectedCode: 'handler_failed' },
  // Protected paths, and deleting their parents.
  { name: 'overwriting a protected file', input: write('docs/legal/terms.md'), expectedCode: 'path_protected' },
  { name: 'creating a file in the protected folder', input: write('docs/legal/new.md'), expectedCode: 'path_protected' },
  { name: 'patching a protected file', input: patch('docs/legal/terms.md'), expectedCode: 'path_protected' },
  { name: 'reading a protected file', input: read('docs/legal/terms.md'), expectedCode: 'path_protected' },
  { name: 'deleting a protected file', input: remove('docs/legal/terms.md'), expectedCode: 'path_protected' },
  { name: 'the protected folder spelled with // and ./', input: write('docs//legal/./new.md'), expectedCode: 'path_protected' },
  { name: 'the protected folder reached from src/../', input: write('src/../docs/legal/new.md'), expectedCode: 'path_protected' },
  { name: 'writing over the protected folder itself', input: write('docs/legal'), expectedCode: 'path_protected' },
  { name: 'deleting docs, the parent of docs/legal/', input: remove('docs'), expectedCode: 'path_protected' },
  { name: 'deleting docs/ with a trailing slash', input: remove('docs/'), expectedCode: 'path_protected' },
  { name: 'deleting docs spelled docs/legal/..', input: remove('docs/legal/..'), expectedCode: 'path_protected' },
  { name: 'deleting the project root', input: remove('.'), expectedCode: OUTSIDE_SPEC },
  { name: 'writing into .git/ (protected, and outside the spec)', input: write('.git/config'), expectedCode: OUTSIDE_SPEC },
];
