import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import type { CorpusReport } from '../../src/engine/tagging/corpus-report.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out: () => out.join(''), err: () => err.join('') };
}

const run = async (...argv: string[]) => {
  const io = capture();
  const { exitCode } = await runCli(argv, io.io, { LOG_LEVEL: 'silent' });
  return { exitCode, out: io.out(), err: io.err() };
};

// Paths in messages are relative to the working directory; Vitest runs from the project root.
const BROKEN = 'test/fixtures/rules/broken';
const TINY = 'test/fixtures/rules/tiny';
const CORPUS = 'test/fixtures/corpus';

describe('gatehouse rules lint', () => {
  it('reports every problem in every broken rule file and exits 1', async () => {
    const { exitCode, out, err } = await run('rules', 'lint', '--dir', BROKEN);
    expect(exitCode).toBe(1);
    expect(out).toBe('');
    const lines = err.trimEnd().split('\n');
    const orphan = lines.splice(4, 1)[0];
    expect(lines).toEqual([
      `rule ${BROKEN}/bad-yaml.yaml: is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 4, column 1:`,
      `rule ${BROKEN}/duplicate-id-b.yaml: rule_id R9006 is already defined by duplicate-id-a.yaml`,
      `rule ${BROKEN}/foreign-sub-technique.yaml: 'emits[0].sub_technique_id' T1059.004 does not belong to T1003`,
      `rule ${BROKEN}/lookbehind.yaml: 'match.pattern' is not a valid RE2 pattern (lookaround and backreferences are not supported: patterns are RE2 so no rule can stall the server): invalid perl operator: (?<=, got "(?<=x)y"`,
      `rule ${BROKEN}/unknown-key.yaml: unknown key: 'severity'`,
      `rule ${BROKEN}/unknown-source-kind.yaml: 'applies_to' names unknown source kind comand (known: agent_action, auth_attempt, command, http_request, session)`,
      `rule ${BROKEN}/wrong-tactic.yaml: 'emits[0].tactic' TA0002 is not a tactic of T1003 (OS Credential Dumping: TA0006)`,
      '8 problems in 8 rule files',
    ]);
    // The owned kinds listed depend on which bundled plugins exist; the credential lifters always do.
    expect(orphan).toMatch(
      new RegExp(`^rule ${BROKEN}/orphan-lifter\\.yaml: 'match\\.kind' lifter:nobody has no owner: no bundled plugin's lifter owns it \\(owned kinds: .*lifter:brute-force.*\\)$`),
    );
  });

  it('prints the problems as JSON with --json', async () => {
    const { exitCode, out } = await run('rules', 'lint', '--dir', BROKEN, '--json');
    expect(exitCode).toBe(1);
    const report = JSON.parse(out) as { ok: boolean; problems: { path: string; ruleId: string | null; message: string }[]; summary: { rules: number } };
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual({ path: `${BROKEN}/unknown-key.yaml`, ruleId: 'R9002', message: "unknown key: 'severity'" });
    expect(report.problems).toContainEqual({ path: `${BROKEN}/bad-yaml.yaml`, ruleId: null, message: expect.stringMatching(/^is not valid YAML: /) });
    expect(report.summary.rules).toBe(3); // duplicate-id-a, orphan-lifter and unknown-source-kind load
  });

  it('passes the shipped rule pack and summarises it', async () => {
    const { exitCode, out, err } = await run('rules', 'lint');
    expect(err).toBe('');
    expect(exitCode).toBe(0);
    expect(out).toMatch(/^rules: \d+ rules \(\d+ pattern, \d+ lifter\), no problems\nrules per source kind:\n {2}agent_action +\d+\n/);
    expect(out).toMatch(/^techniques: \d+ distinct \(plus \d+ sub-techniques\)$/m);
    expect(out).toMatch(/^tactics: \d+ \(TA\d{4} [A-Z]/m);
  });
});

describe('gatehouse rules test', () => {
  it('prints per-rule and per-technique tables and exits 0 when the gate passes', async () => {
    const { exitCode, out, err } = await run('rules', 'test', `${CORPUS}/tiny.jsonl`, '--dir', TINY);
    expect(err).toBe('');
    expect(exitCode).toBe(0);
    expect(out).toContain(
      [
        'rule   name                                     confidence  fired  TP  FP  precision  needs  recall  gate',
        '-----  ---------------------------------------  ----------  -----  --  --  ---------  -----  ------  ----',
        'R9101  Reads /etc/shadow                               0.9      1   1   0      1.000  ≥0.95       -',
        'R9102  System information discovery with uname         0.5      1   1   0      1.000  -       1.000',
        '',
        'technique  name                         expected  TP  FN  recall',
        '---------  ---------------------------  --------  --  --  ------',
        'T1003.008  /etc/passwd and /etc/shadow         1   1   0   1.000',
        '',
        'corpus: 4 rows (2 positive, 2 negative) from 1 file',
        'precision gate: passed',
      ].join('\n'),
    );
  });

  it('exits 1 naming the rule, its precision and its false positives when the gate fails, and writes the JSON report', async () => {
    const outFile = path.join(mkdtempSync(path.join(tmpdir(), 'gatehouse-rules-')), 'report.json');
    const { exitCode, err } = await run('rules', 'test', `${CORPUS}/tiny.jsonl`, `${CORPUS}/tiny-false-positive.jsonl`, '--dir', TINY, '--out', outFile);
    expect(exitCode).toBe(1);
    expect(err).toBe(
      'precision gate failed for 1 rule:\n' +
        `  R9101 (confidence 0.9): precision 0.500 (1 TP, 1 FP) is below the required 0.95; false positives at ${CORPUS}/tiny-false-positive.jsonl:1\n`,
    );
    const report = JSON.parse(readFileSync(outFile, 'utf8')) as CorpusReport;
    expect(report.corpus).toEqual({ rows: 5, positiveRows: 2, negativeRows: 3, files: [`${CORPUS}/tiny.jsonl`, `${CORPUS}/tiny-false-positive.jsonl`] });
    expect(report.rules.map((r) => [r.ruleId, r.truePositives, r.falsePositives])).toEqual([
      ['R9101', 1, 1],
      ['R9102', 1, 0],
    ]);
    expect(report.gate.passed).toBe(false);
  });

  it('prints the report as JSON with --json', async () => {
    const { exitCode, out } = await run('rules', 'test', `${CORPUS}/tiny.jsonl`, '--dir', TINY, '--json');
    expect(exitCode).toBe(0);
    expect((JSON.parse(out) as CorpusReport).gate).toEqual({ passed: true, failures: [] });
  });

  it('exits 2 listing every malformed corpus row', async () => {
    const { exitCode, out, err } = await run('rules', 'test', `${CORPUS}/broken.jsonl`, '--dir', TINY);
    expect(exitCode).toBe(2);
    expect(out).toBe('');
    expect(err.split('\n')).toEqual([
      `${CORPUS}/broken.jsonl:2: 'expected_techniques[0]' must be a technique id like "T1003" or "T1003.008", got "T12"`,
      expect.stringMatching(new RegExp(`^${CORPUS}/broken\\.jsonl:4: is not valid JSON: `)),
      'the corpus has 2 problems',
      '',
    ]);
  });

  it('refuses to measure a pack with broken rule files', async () => {
    const { exitCode, err } = await run('rules', 'test', `${CORPUS}/tiny.jsonl`, '--dir', BROKEN);
    expect(exitCode).toBe(1);
    expect(err).toMatch(/6 rule files failed to load; fix them first \(`gatehouse rules lint`\)\n$/);
  });
});

describe('gatehouse schema rules', () => {
  it('finds the committed rule JSON Schema up to date', async () => {
    const { exitCode, out } = await run('schema', 'rules', '--check');
    expect(exitCode).toBe(0);
    expect(out).toBe('schemas/rule.schema.json is up to date\n');
  });
});
