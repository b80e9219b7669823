import { describe, expect, it } from 'vitest';
import { loadAttackCatalogue } from '../../../src/engine/attack/catalogue.ts';
import { evaluateCorpus } from '../../../src/engine/tagging/corpus-evaluation.ts';
import { applyGate, requiredPrecision, type GatedRule } from '../../../src/engine/tagging/corpus-gate.ts';
import { CorpusError, parseCorpus } from '../../../src/engine/tagging/corpus-row.ts';
import { parseRule } from '../../../src/engine/tagging/parse-rule.ts';
import { defineLifter, type PluginEvent } from '../../../src/plugins/api.ts';

const catalogue = loadAttackCatalogue();

const rule = (id: string, pattern: string, emit: string, confidence = 0.9, appliesTo = 'command', field = 'command_text') =>
  parseRule(
    `rule_id: ${id}\nrule_version: 1\nname: ${id}\ndescription: test rule\napplies_to: [${appliesTo}]\nmatch: { field: ${field}, pattern: '${pattern}' }\nemits:\n  - { ${emit}, confidence: ${confidence} }\n`,
    `${id}.yaml`,
    catalogue,
  );
const SHADOW = 'tactic: TA0006, technique_id: T1003, sub_technique_id: T1003.008';
const UNAME = 'tactic: TA0007, technique_id: T1082';

const jsonl = (...rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n');
const cmd = (command_text: string, expect: { expected_techniques?: string[]; expected_rule_ids?: string[] } = {}) => ({
  source_kind: 'command',
  payload: { command_text },
  label: command_text,
  ...expect,
});

/** A failing row's error, as the caller would print it. */
async function problemsOf(run: () => unknown): Promise<string[]> {
  try {
    await run();
  } catch (err) {
    if (err instanceof CorpusError) return err.problems;
    throw err;
  }
  throw new Error('expected a CorpusError');
}

describe('corpus evaluation', () => {
  it('counts true and false positives per rule, and recall per rule and per technique', async () => {
    const rows = parseCorpus(
      jsonl(
        cmd('cat /etc/shadow', { expected_techniques: ['T1003.008'] }), // R0001 TP by sub-technique
        cmd('sudo grep root /etc/shadow', { expected_rule_ids: ['R0001'] }), // R0001 TP by rule id
        cmd('cp /etc/shadow /tmp/s', { expected_techniques: ['T1003'] }), // R0001 TP by parent technique
        cmd('man shadow; ls /etc/shadow'), // R0001 FP
        cmd('uname -a', { expected_techniques: ['T1082'] }), // R0002 TP
        cmd('hostnamectl', { expected_rule_ids: ['R0002'], expected_techniques: ['T1082'] }), // R0002 miss
        cmd('unshadow passwd shadow > h', { expected_techniques: ['T1003.008'] }), // technique miss
      ),
      'c.jsonl',
    );
    const report = await evaluateCorpus({ rules: [rule('R0001', '/etc/shadow', SHADOW), rule('R0002', 'uname', UNAME, 0.5)], rows });

    expect(report.corpus).toEqual({ rows: 7, positiveRows: 6, negativeRows: 1, files: ['c.jsonl'] });
    expect(report.rules.find((r) => r.ruleId === 'R0001')).toMatchObject({
      owner: 'engine',
      confidence: 0.9,
      requiredPrecision: 0.95,
      fired: 4,
      truePositives: 3,
      falsePositives: 1,
      precision: 0.75,
      expectedRows: 1,
      hits: 1,
      recall: 1,
      falsePositiveRows: ['c.jsonl:4'],
    });
    expect(report.rules.find((r) => r.ruleId === 'R0002')).toMatchObject({ fired: 1, truePositives: 1, falsePositives: 0, precision: 1, expectedRows: 1, hits: 0, recall: 0, missedRows: ['c.jsonl:6'] });
    expect(report.techniques).toEqual([
      { techniqueId: 'T1003', expectedRows: 1, truePositives: 1, falseNegatives: 0, recall: 1, missedRows: [] },
      { techniqueId: 'T1003.008', expectedRows: 2, truePositives: 1, falseNegatives: 1, recall: 0.5, missedRows: ['c.jsonl:7'] },
      { techniqueId: 'T1082', expectedRows: 2, truePositives: 1, falseNegatives: 1, recall: 0.5, missedRows: ['c.jsonl:6'] },
    ]);
  });

  it('counts a rule that emits only the parent as a false positive on a row that expects only a sub-technique', async () => {
    const rows = parseCorpus(jsonl(cmd('cat /etc/shadow', { expected_techniques: ['T1003.008'] })), 'c.jsonl');
    const report = await evaluateCorpus({ rules: [rule('R0001', 'shadow', 'tactic: TA0006, technique_id: T1003')], rows });
    expect(report.rules[0]).toMatchObject({ truePositives: 0, falsePositives: 1 });
    expect(report.techniques[0]).toMatchObject({ techniqueId: 'T1003.008', truePositives: 0 });
  });

  it('reports precision and recall as null for a rule that never fired and that no row expects', async () => {
    const report = await evaluateCorpus({ rules: [rule('R0001', 'shadow', SHADOW, 0.3)], rows: parseCorpus(jsonl(cmd('ls')), 'c.jsonl') });
    expect(report.rules[0]).toMatchObject({ fired: 0, precision: null, recall: null, requiredPrecision: null });
  });

  it('measures every rule at its own confidence, however low', async () => {
    const rows = parseCorpus(jsonl(cmd('uname -a', { expected_techniques: ['T1082'] })), 'c.jsonl');
    const report = await evaluateCorpus({ rules: [rule('R0002', 'uname', UNAME, 0.05)], rows });
    expect(report.rules[0]).toMatchObject({ fired: 1, truePositives: 1 });
  });

  it('parses rows of source kinds no rule applies to, and tags a session through its commands', async () => {
    const rows = parseCorpus(
      jsonl(
        { source_kind: 'auth_attempt', payload: { service: 'ssh', username: 'root', success: false, src_ip: '203.0.113.9' }, label: 'one failed login' },
        { source_kind: 'session', payload: { commands: ['id', 'cat /etc/shadow'], started_at: '2026-01-01T00:00:00Z' }, expected_rule_ids: ['R0001'], label: 'session' },
      ),
      's.jsonl',
    );
    const report = await evaluateCorpus({ rules: [rule('R0001', 'shadow', SHADOW)], rows });
    expect(report.corpus.rows).toBe(2);
    expect(report.rules[0]).toMatchObject({ fired: 1, truePositives: 1, recall: 1 });
  });

  it('hands rows to given lifters as events with a corpus source id and the row time', async () => {
    const seen: PluginEvent[] = [];
    const lifter = defineLifter({
      id: 'probe/echo',
      description: 'records events',
      handles: ['command'],
      owns: ['lifter:echo'],
      parseParams: (p) => p,
      create: () => ({ process: ({ event }) => (seen.push(event), []) }),
    });
    const owned = parseRule('rule_id: R0003\nrule_version: 1\nname: e\ndescription: e\napplies_to: [command]\nmatch: { kind: "lifter:echo" }\nemits: [{ tactic: TA0007, technique_id: T1082, confidence: 0.7 }]\n', 'e.yaml', catalogue);
    const rows = parseCorpus(`\n${jsonl(cmd('id'), { ...cmd('w'), occurred_at: '2026-03-04T05:06:07Z' })}`, 'dir/my corpus.jsonl');
    const progress: [number, number][] = [];
    const report = await evaluateCorpus({ rules: [owned], rows, lifters: [lifter], onProgress: (done, total) => progress.push([done, total]) });
    expect(seen.map((e) => [e.sourceId, e.occurredAt.toISOString()])).toEqual([
      ['corpus:dir/my_corpus.jsonl:2', '2026-01-01T00:00:00.000Z'],
      ['corpus:dir/my_corpus.jsonl:3', '2026-03-04T05:06:07.000Z'],
    ]);
    expect(report.rules[0]?.owner).toBe('probe/echo');
    expect(progress).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });

  it('does not run lifter rules unless lifters are given, and says so', async () => {
    const owned = parseRule('rule_id: R0003\nrule_version: 1\nname: e\ndescription: e\napplies_to: [command]\nmatch: { kind: "lifter:echo" }\nemits: [{ tactic: TA0007, technique_id: T1082, confidence: 0.7 }]\n', 'e.yaml', catalogue);
    const report = await evaluateCorpus({ rules: [owned], rows: parseCorpus(jsonl(cmd('id', { expected_rule_ids: ['R0003', 'R9999'] })), 'c.jsonl') });
    expect(report.rules[0]).toMatchObject({ owner: null, fired: 0 });
    expect(report.problems).toEqual([{ ruleId: 'R0003', sourcePath: 'e.yaml', message: "orphaned: no loaded lifter owns kind 'lifter:echo'; the rule does not run" }]);
    expect(report.warnings).toEqual(['c.jsonl:1: expects rule R9999, which is not in the rule pack']);
    expect(report.gate.passed).toBe(true);
  });

  it('warns when a row labelled benign expects something, or one labelled malicious expects nothing', async () => {
    const rows = parseCorpus(
      jsonl({ ...cmd('id', { expected_techniques: ['T1033'] }), label: 'benign' }, { ...cmd('cat /etc/shadow'), label: 'Malicious' }, { ...cmd('ls'), label: 'benign' }),
      'c.jsonl',
    );
    expect((await evaluateCorpus({ rules: [], rows })).warnings).toEqual([
      'c.jsonl:1: labelled "benign" but expects techniques or rules',
      'c.jsonl:2: labelled "Malicious" but expects nothing',
    ]);
  });
});

describe('corpus rows', () => {
  it('reports every bad row with its file, line and field', async () => {
    const text = [
      JSON.stringify(cmd('id')),
      '',
      '{"source_kind": "command", "payload": {"command_text": "id"}}',
      '{"source_kind": "command", "payload": {"command_text": "id"}, "label": "x", "expected_techniques": ["T12"], "severity": 3}',
      '{"source_kind": "command", "payload": "id", "label": "x"}',
      '{not json',
    ].join('\n');
    const problems = await problemsOf(() => parseCorpus(text, 'bad.jsonl'));
    expect(problems.slice(0, 4)).toEqual([
      "bad.jsonl:3: 'label' is required",
      'bad.jsonl:4: \'expected_techniques[0]\' must be a technique id like "T1003" or "T1003.008", got "T12"',
      "bad.jsonl:4: unknown key: 'severity'",
      "bad.jsonl:5: 'payload' must be a JSON object, got \"id\"",
    ]);
    expect(problems[4]).toMatch(/^bad\.jsonl:6: is not valid JSON: \S/);
    expect(problems).toHaveLength(5);
  });

  it('rejects rows with an unknown source kind or a payload that kind refuses, naming file:line and field', async () => {
    const rows = parseCorpus(
      jsonl(
        { source_kind: 'comand', payload: { command_text: 'id' }, label: 'typo' },
        { source_kind: 'command', payload: { cmd: 'id' }, label: 'no command_text' },
        { source_kind: 'auth_attempt', payload: { service: 'ssh', username: 'root', success: 'no', src_ip: '198.51.100.1' }, label: 'bad success' },
      ),
      'k.jsonl',
    );
    expect(await problemsOf(() => evaluateCorpus({ rules: [], rows }))).toEqual([
      `k.jsonl:1: 'source_kind' must be one of command, http_request, auth_attempt, session, agent_action, got "comand"`,
      "k.jsonl:2: payload of command: 'command_text' expected string, received undefined, got nothing",
      'k.jsonl:3: payload of auth_attempt: \'success\' expected boolean, received string, got "no"',
    ]);
  });
});

describe('precision gate', () => {
  const gated = (confidence: number, truePositives: number, falsePositives: number, matchType: 'pattern' | 'lifter' = 'pattern'): GatedRule => ({
    ruleId: `R-${confidence}-${truePositives}-${falsePositives}`,
    matchType,
    confidence,
    truePositives,
    falsePositives,
    precision: truePositives + falsePositives === 0 ? null : truePositives / (truePositives + falsePositives),
    falsePositiveRows: falsePositives > 0 ? ['c.jsonl:9'] : [],
  });
  const failures = (...rules: GatedRule[]) => applyGate(rules).failures.map((f) => `${f.ruleId} ${f.reason}`);

  it('needs 0.95 from confidence 0.85 up and 0.80 from 0.6 up to 0.85, and nothing below 0.6', () => {
    expect([requiredPrecision(1), requiredPrecision(0.85), requiredPrecision(0.8499), requiredPrecision(0.6), requiredPrecision(0.5999)]).toEqual([0.95, 0.95, 0.8, 0.8, null]);
  });

  it('passes rules exactly at their threshold and fails them just below it', () => {
    expect(failures(gated(0.85, 19, 1), gated(0.84, 4, 1), gated(0.6, 4, 1), gated(0.59, 1, 9))).toEqual([]);
    expect(failures(gated(0.85, 18, 1), gated(0.6, 79, 21), gated(0.84, 3, 1))).toEqual(['R-0.85-18-1 precision', 'R-0.6-79-21 precision', 'R-0.84-3-1 precision']);
  });

  it('says which rule failed, by how much, and where its false positives are', () => {
    expect(applyGate([gated(0.9, 9, 1)]).failures).toEqual([
      { ruleId: 'R-0.9-9-1', reason: 'precision', message: 'R-0.9-9-1 (confidence 0.9): precision 0.900 (9 TP, 1 FP) is below the required 0.95; false positives at c.jsonl:9' },
    ]);
  });

  it('needs at least one true positive for every engine rule, but not for lifter rules or as a precision failure', () => {
    const result = applyGate([gated(0.9, 0, 0), gated(0.9, 0, 0, 'lifter'), gated(0.3, 0, 2)]);
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual([
      { ruleId: 'R-0.9-0-0', reason: 'no_positive', message: 'R-0.9-0-0: no corpus row is a true positive for it (every engine rule needs at least one positive row)' },
      { ruleId: 'R-0.3-0-2', reason: 'no_positive', message: 'R-0.3-0-2: no corpus row is a true positive for it (every engine rule needs at least one positive row)' },
    ]);
  });

  it('is applied to the evaluated rules', async () => {
    const rows = parseCorpus(jsonl(cmd('cat /etc/shadow', { expected_techniques: ['T1003.008'] }), cmd('ls /etc/shadow-backup')), 'c.jsonl');
    const report = await evaluateCorpus({ rules: [rule('R0001', 'shadow', SHADOW, 0.85), rule('R0002', 'uname', UNAME, 0.4)], rows });
    expect(report.gate.failures.map((f) => `${f.ruleId} ${f.reason}`)).toEqual(['R0001 precision', 'R0002 no_positive']);
  });
});
