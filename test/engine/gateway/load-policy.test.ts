import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, PolicyLoadError } from '../../../src/engine/gateway/load-policy.ts';
import { formatPolicyProblem } from '../../../src/engine/gateway/policy-problem.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/policies');
const SHIPPED = path.resolve(import.meta.dirname, '../../../policy');

async function problemsOf(fixture: string): Promise<string[]> {
  const err = await loadPolicy(path.join(FIXTURES, fixture)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PolicyLoadError);
  return (err as PolicyLoadError).problems.map(formatPolicyProblem);
}

describe('loadPolicy', () => {
  it('loads a YAML policy into specs, jurisdictions, protected paths and approval rules', async () => {
    const at = new Date('2025-01-02T03:04:05Z');
    const policy = await loadPolicy(path.join(FIXTURES, 'good-yaml'), () => at);
    expect(policy.specs.get('SPEC-DOCS')).toEqual({
      id: 'SPEC-DOCS',
      title: 'Documentation',
      status: 'active',
      roles: ['developer'],
      actionTypes: ['read_file', 'write_file'],
      paths: ['docs/', 'src/'],
    });
    expect(policy.specs.get('SPEC-OLD')?.status).toBe('retired');
    expect(policy.jurisdictions.get('reviewer')).toEqual({ role: 'reviewer', paths: ['docs/'], actionTypes: ['read_file'] });
    expect(policy.protectedPaths).toEqual(['.git/', 'secrets/']);
    expect(policy.approvalRules).toEqual([
      { id: 'deletes-need-approval', actions: ['delete_file'], paths: [], description: 'Every delete waits for an operator.' },
      { id: 'release-notes', actions: ['write_file'], paths: ['docs/releases/**'], description: 'Release notes are read first.' },
    ]);
    expect(policy.files).toEqual(['approvals.yaml', 'jurisdictions.yaml', 'protected.yaml', 'specs.yaml']);
    expect(policy.loadedAt).toBe(at);
    expect(policy.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts the older JSON wrappers and hashes the same policy alike in either spelling', async () => {
    const yaml = await loadPolicy(path.join(FIXTURES, 'good-yaml'));
    const json = await loadPolicy(path.join(FIXTURES, 'good-json'));
    expect(json.files).toEqual(['approvals.json', 'jurisdictions.json', 'protected.json', 'specs.json']);
    expect([...json.specs.values()]).toEqual([...yaml.specs.values()]);
    expect([...json.jurisdictions.values()]).toEqual([...yaml.jurisdictions.values()]);
    expect(json.hash).toBe(yaml.hash);
  });

  it('reads the short jurisdiction form role → [paths] as allowing no actions (fail-closed)', async () => {
    const policy = await loadPolicy(path.join(FIXTURES, 'good-json-short-form'));
    expect(policy.jurisdictions.get('auditor')).toEqual({ role: 'auditor', paths: ['docs/', 'logs/'], actionTypes: [] });
    expect(policy.jurisdictions.get('developer')?.actionTypes).toEqual(['read_file', 'write_file']);
    expect(policy.protectedPaths).toEqual([]);
    expect(policy.approvalRules).toEqual([]);
  });

  it('changes the hash when the policy changes', async () => {
    const a = await loadPolicy(path.join(FIXTURES, 'good-json'));
    const b = await loadPolicy(path.join(FIXTURES, 'good-json-short-form'));
    expect(a.hash).not.toBe(b.hash);
  });

  it('loads the shipped example policy with its walkthrough specs, roles and rules', async () => {
    const policy = await loadPolicy(SHIPPED);
    expect(policy.specs.get('SPEC-DOCS')).toMatchObject({ status: 'active', roles: ['developer'], paths: ['docs/', 'src/'] });
    expect(policy.specs.get('SPEC-RELEASE')?.status).toBe('draft');
    expect([...policy.jurisdictions.keys()]).toEqual(['developer', 'reviewer']);
    expect(policy.protectedPaths).toEqual(['.git/', 'policy/', 'secrets/', 'docs/legal/']);
    expect(policy.approvalRules.map((r) => r.id)).toEqual(['deletes-need-approval', 'release-notes']);
  });

  it('names the unknown key, and the spec it is in', async () => {
    expect(await problemsOf('broken-unknown-key')).toEqual(["specs.yaml: 'SPEC-DOCS' has unknown key 'action_type'"]);
  });

  it('names the bad status, the allowed ones and what arrived', async () => {
    expect(await problemsOf('broken-bad-status')).toEqual([
      `specs.yaml: 'SPEC-DOCS.status' must be one of draft, approved, active, suspended, retired, got "live"`,
    ]);
  });

  it('reports a YAML syntax error with its line', async () => {
    expect(await problemsOf('broken-yaml-syntax')).toEqual([
      'jurisdictions.yaml: is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 3:',
    ]);
  });

  it('refuses specs.yaml and specs.json side by side', async () => {
    expect(await problemsOf('broken-both-specs')).toEqual(['specs.yaml, specs.json: both define the specs; keep one file']);
  });

  it('requires a jurisdictions file', async () => {
    expect(await problemsOf('broken-missing-jurisdictions')).toEqual([
      'jurisdictions.yaml: is missing; a policy needs jurisdictions.yaml, jurisdictions.yml or jurisdictions.json',
    ]);
  });

  it('reports every problem in every file at once', async () => {
    expect(await problemsOf('broken-everywhere')).toEqual([
      'approval.yaml: is not a policy file; expected specs, jurisdictions, protected, approvals (.yaml, .yml or .json)',
      `specs.yaml: 'bad id.title' must be a non-empty string, got ""`,
      `specs.yaml: 'bad id.roles[0]' must be a role name: lowercase letters, digits and ._- (like "developer"), got "Developer"`,
      `specs.yaml: 'bad id.action_types[0]' must be a snake_case action kind like "write_file", got "WriteFile"`,
      `specs.yaml: 'bad id.paths[0]' must be a non-empty path without NUL or control characters, got "docs/\\u0000x"`,
      `specs.yaml: 'SPEC-OK.paths' is required`,
      `specs.yaml: key "bad id" must be a spec id: letters, digits and ._- (like "SPEC-DOCS")`,
      `jurisdictions.yaml: 'developer' must be a mapping or a list, got 5`,
      `jurisdictions.yaml: 'reviewer[1]' must be a string, got 7`,
      `protected.yaml: 'protected_paths' must be a list, got "secrets/"`,
      `approvals.yaml: 'approval_rules[0].paths[0]' must be relative to the project root (globs match paths below it), got "/etc/**"`,
      `approvals.yaml: 'approval_rules[0].paths[1]' uses '**' inside a component; '**' must be a whole component (like docs/**/notes.md), got "docs/**x"`,
      `approvals.yaml: 'approval_rules[0].paths[2]' must not contain a '..' component, got "../up"`,
      `approvals.yaml: 'approval_rules[1].id' duplicates the id of approval_rules[0], got "same"`,
    ]);
  });

  it('says so when the policy folder does not exist', async () => {
    const dir = path.join(FIXTURES, 'no-such-folder');
    await expect(loadPolicy(dir)).rejects.toThrow(`policy in ${dir} did not load:\n  .: the policy folder ${dir} does not exist`);
  });
});
