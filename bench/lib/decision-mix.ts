import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Principal } from '../../src/engine/auth/principal.ts';
import type { GatewayRequestInput } from '../../src/engine/gateway/decision.ts';

/**
 * The requests the decision bench decides, against the shipped `policy/` (SPEC-DOCS active for
 * `developer` on docs/ and src/, SPEC-RELEASE draft, docs/legal/ protected, deletes and release notes
 * need approval). Every outcome of the pipeline that both engines can express appears at least once;
 * `weight` makes the common case common (agents mostly read and write what they are meant to).
 * `expect` is what the shipped policy says; the bench checks every engine against it.
 */
export interface MixEntry {
  label: string;
  principal: Principal;
  request: GatewayRequestInput;
  weight: number;
  /** `APPROVED`, `PENDING_APPROVAL:<rule id>` or the denial code. */
  expect: string;
}

const DEVELOPER: Principal = { tokenId: 'tok-dev', name: 'bench developer', role: 'agent', agent: 'bench-agent', agentRoles: ['developer'] };
const REVIEWER: Principal = { tokenId: 'tok-rev', name: 'bench reviewer', role: 'agent', agent: 'docs-reviewer', agentRoles: ['reviewer'] };
const OPERATOR: Principal = { tokenId: 'tok-op', name: 'bench operator', role: 'operator', agent: null, agentRoles: [] };

type Row = [label: string, principal: Principal, agent: string, role: string, specId: string, action: string, params: Record<string, unknown>, weight: number, expect: string];
const dev = (label: string, action: string, params: Record<string, unknown>, expect: string, weight = 1, specId = 'SPEC-DOCS'): Row => [label, DEVELOPER, 'bench-agent', 'developer', specId, action, params, weight, expect];

const ROWS: Row[] = [
  dev('read a docs file', 'read_file', { path: 'docs/readme.md' }, 'APPROVED', 6),
  dev('write a docs file', 'write_file', { path: 'docs/guide/intro.md', content: '# Intro\n' }, 'APPROVED', 3),
  dev('create a file in a new folder (alias edit)', 'edit', { path: 'docs/notes/new.md', content: 'new\n' }, 'APPROVED'),
  dev('patch a source file', 'patch_file', { path: 'src/index.ts', old_string: 'a', new_string: 'b' }, 'APPROVED'),
  dev('list the docs folder', 'list_dir', { path: 'docs' }, 'APPROVED'),
  dev('read release notes', 'read_file', { path: 'docs/releases/v1.md' }, 'APPROVED'),
  dev('read through .. inside the root', 'read_file', { path: 'src/../docs/readme.md' }, 'APPROVED'),
  dev('write release notes', 'write_file', { path: 'docs/releases/v2.md', content: 'notes\n' }, 'PENDING_APPROVAL:release-notes'),
  dev('delete a docs file', 'delete_file', { path: 'docs/old.md' }, 'PENDING_APPROVAL:deletes-need-approval'),
  dev('read a protected file', 'read_file', { path: 'docs/legal/terms.md' }, 'path_protected'),
  dev('delete a folder above a protected path', 'delete_file', { path: 'docs' }, 'path_protected'),
  dev('read outside the spec paths', 'read_file', { path: 'secrets/key' }, 'path_outside_jurisdiction'),
  dev('write package.json under SPEC-DOCS', 'write_file', { path: 'package.json', content: '{}' }, 'path_outside_jurisdiction'),
  dev('escape the root with ..', 'read_file', { path: '../outside/passwd' }, 'path_outside_root'),
  dev('escape the root through a symlink', 'read_file', { path: 'docs/escape/passwd' }, 'path_outside_root'),
  dev('use a draft spec', 'read_file', { path: 'docs/releases/v1.md' }, 'spec_not_active', 1, 'SPEC-RELEASE'),
  dev('use an unknown spec', 'read_file', { path: 'docs/readme.md' }, 'spec_not_found', 1, 'SPEC-NOPE'),
  dev('ask for an action no spec allows', 'run_command', { command: 'ls' }, 'action_not_allowed'),
  ['role not authorised for the spec', REVIEWER, 'docs-reviewer', 'reviewer', 'SPEC-DOCS', 'read_file', { path: 'docs/readme.md' }, 1, 'role_not_authorized'],
  ['claim another agent', DEVELOPER, 'someone-else', 'developer', 'SPEC-DOCS', 'read_file', { path: 'docs/readme.md' }, 1, 'identity_mismatch'],
  ['claim a role the token lacks', DEVELOPER, 'bench-agent', 'reviewer', 'SPEC-DOCS', 'read_file', { path: 'docs/readme.md' }, 1, 'identity_mismatch'],
  ['an operator token acting as an agent', OPERATOR, 'bench-agent', 'developer', 'SPEC-DOCS', 'read_file', { path: 'docs/readme.md' }, 1, 'identity_mismatch'],
];

export const DECISION_MIX: readonly MixEntry[] = ROWS.map(([label, principal, agent, role, specId, action, params, weight, expect]) => ({
  label,
  principal,
  request: { agent, role, specId, action, params, rationale: 'bench' },
  weight,
  expect,
}));

/** The mix expanded by weight, in a fixed interleaved order, so a timed loop cycles realistic traffic. */
export function weightedSequence(mix: readonly MixEntry[]): number[] {
  const order: number[] = [];
  const left = mix.map((m) => m.weight);
  while (left.some((w) => w > 0)) for (const [i, w] of left.entries()) if (w > 0) (order.push(i), (left[i] = w - 1));
  return order;
}

export interface ProjectTree {
  /** The canonical project root. */
  root: string;
  remove(): Promise<void>;
}

/**
 * A throw-away project on tmpfs (`/dev/shm`) when there is one, else the OS temp dir: the files the
 * mix names, and `docs/escape`, a symlink to a folder beside the root (the symlink-escape case).
 */
export async function createProjectTree(): Promise<ProjectTree> {
  const parent = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const base = await realpath(await mkdtemp(path.join(parent, 'gatehouse-decision-')));
  const root = path.join(base, 'root');
  const files = ['docs/readme.md', 'docs/guide/intro.md', 'docs/releases/v1.md', 'docs/legal/terms.md', 'docs/old.md', 'src/index.ts', 'secrets/key'];
  for (const file of files) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), `${file}\n`);
  }
  await mkdir(path.join(base, 'outside'));
  await writeFile(path.join(base, 'outside', 'passwd'), 'not for agents\n');
  await symlink(path.join(base, 'outside'), path.join(root, 'docs', 'escape'));
  return { root, remove: () => rm(base, { recursive: true, force: true }) };
}
