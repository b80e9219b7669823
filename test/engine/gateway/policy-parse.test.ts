import { describe, expect, it } from 'vitest';
import { parseApprovalsFile, parseJurisdictionsFile, parseProtectedFile, parseSpecsFile } from '../../../src/engine/gateway/policy-parse.ts';
import { formatPolicyProblem } from '../../../src/engine/gateway/policy-problem.ts';
import type { ParsedPolicyFile } from '../../../src/engine/gateway/policy-parse.ts';

function problems<T>(parsed: ParsedPolicyFile<T>): string[] {
  expect(parsed.ok).toBe(false);
  return parsed.ok ? [] : parsed.problems.map(formatPolicyProblem);
}

const SPEC = { title: 'T', status: 'active', roles: ['developer'], action_types: ['read_file'], paths: ['docs/'] };

describe('policy file parsing', () => {
  it('refuses a JSON file with a duplicate key instead of letting the last one win', () => {
    const text = `{ "specs": { "A": ${JSON.stringify(SPEC)}, "A": ${JSON.stringify({ ...SPEC, status: 'draft' })} } }`;
    expect(problems(parseSpecsFile(text, 'specs.json', 'json'))).toEqual(['specs.json: has a duplicate key: Map keys must be unique at line 1, column 121:']);
  });

  it('refuses a YAML file with a duplicate spec id', () => {
    expect(problems(parseSpecsFile('A: {}\nA: {}\n', 'specs.yaml', 'yaml'))).toEqual(['specs.yaml: is not valid YAML: Map keys must be unique at line 2, column 1:']);
  });

  it('reports invalid JSON with the parser message', () => {
    const [problem] = problems(parseSpecsFile('{ "specs": ', 'specs.json', 'json'));
    expect(problem).toMatch(/^specs\.json: is not valid JSON: /);
  });

  it('calls an empty file empty', () => {
    expect(problems(parseProtectedFile('# nothing here\n', 'protected.yaml', 'yaml'))).toEqual(['protected.yaml: is empty']);
  });

  it('requires the "specs" wrapper in specs.json, naming what arrived instead', () => {
    expect(problems(parseSpecsFile(JSON.stringify({ A: SPEC }), 'specs.json', 'json'))).toEqual(["specs.json: 'specs' is required", "specs.json: unknown key 'A'"]);
  });

  it('reads the long jurisdiction form inside the JSON wrapper', () => {
    const parsed = parseJurisdictionsFile(JSON.stringify({ jurisdictions: { dev: { paths: ['src/'], action_types: ['read_file'] } } }), 'jurisdictions.json', 'json');
    expect(parsed).toEqual({ ok: true, value: new Map([['dev', { role: 'dev', paths: ['src/'], actionTypes: ['read_file'] }]]) });
  });

  it('describes a bad entry of the long jurisdiction form as a mapping problem', () => {
    expect(problems(parseJurisdictionsFile('dev:\n  paths: [src/]\n  action_types: [Read]\n', 'jurisdictions.yaml', 'yaml'))).toEqual([
      `jurisdictions.yaml: 'dev.action_types[0]' must be a snake_case action kind like "write_file", got "Read"`,
    ]);
  });

  it('normalises policy paths and globs to NFC', () => {
    const decomposed = 'docs/cafe\u0301/';
    const specs = parseSpecsFile(JSON.stringify({ A: { ...SPEC, paths: [decomposed] } }), 'specs.yaml', 'yaml');
    expect(specs.ok && specs.value.get('A')?.paths).toEqual(['docs/caf\u00e9/']);
    const rules = parseApprovalsFile(JSON.stringify({ approval_rules: [{ id: 'r', paths: ['./x//cafe\u0301/**'], description: 'd' }] }), 'approvals.yaml', 'yaml');
    expect(rules.ok && rules.value[0]?.paths).toEqual(['x/caf\u00e9/**']);
  });

  it('refuses unknown keys at the top of approvals.yaml and in a rule', () => {
    const text = 'approval_rules:\n  - id: a\n    description: d\n    action: [delete_file]\nrules: []\n';
    expect(problems(parseApprovalsFile(text, 'approvals.yaml', 'yaml'))).toEqual(["approvals.yaml: 'approval_rules[0]' has unknown key 'action'", "approvals.yaml: unknown key 'rules'"]);
  });
});
