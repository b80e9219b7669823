import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAttackCatalogue } from '../src/engine/attack/catalogue.ts';
import { evaluateCorpus } from '../src/engine/tagging/corpus-evaluation.ts';
import type { CorpusReport } from '../src/engine/tagging/corpus-report.ts';
import { CorpusError, loadCorpus } from '../src/engine/tagging/corpus-row.ts';
import { loadRules, type RulePack } from '../src/engine/tagging/load-rules.ts';

/**
 * THE PRECISION GATE (issue "rules lint / rules test"): the shipped rules/ measured against the shipped
 * test/corpus/*.jsonl. Every engine rule needs a true positive in the corpus, and a rule is held to its
 * own confidence: ≥ 0.85 needs precision ≥ 0.95, 0.6–0.85 needs ≥ 0.80 (src/engine/tagging/corpus-gate.ts).
 * The same numbers, as tables, come from `gatehouse rules test test/corpus/*.jsonl`.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const CORPUS_DIR = 'test/corpus';

function corpusFiles(): string[] {
  try {
    return readdirSync(path.join(ROOT, CORPUS_DIR))
      .filter((f) => f.endsWith('.jsonl'))
      .sort()
      .map((f) => `${CORPUS_DIR}/${f}`);
  } catch {
    return [];
  }
}

describe('the shipped rule pack', () => {
  let pack: RulePack;
  let files: string[];
  let corpusProblems: string[] = [];
  let report: CorpusReport | null = null;

  beforeAll(async () => {
    pack = await loadRules(path.join(ROOT, 'rules'), loadAttackCatalogue());
    files = corpusFiles();
    try {
      const rows = await loadCorpus(files.map((f) => ({ path: path.join(ROOT, f), label: f })));
      report = await evaluateCorpus({ rules: pack.rules, rows });
    } catch (err) {
      if (!(err instanceof CorpusError)) throw err;
      corpusProblems = err.problems;
    }
  });

  it('loads every rule file without problems', () => {
    expect(pack.errors.flatMap((e) => e.problems.map((p) => `rules/${e.path}: ${p}`))).toEqual([]);
  });

  it('has a well-formed labelled corpus in test/corpus/*.jsonl', () => {
    expect(files, `no *.jsonl files in ${CORPUS_DIR}/`).not.toEqual([]);
    expect(corpusProblems).toEqual([]);
    expect(report?.warnings).toEqual([]);
  });

  it('has at least twice as many benign negatives as positives', () => {
    const corpus = report?.corpus ?? { positiveRows: 0, negativeRows: 0 };
    expect(corpus.positiveRows).toBeGreaterThan(0);
    expect(corpus.negativeRows, `${corpus.negativeRows} negative rows for ${corpus.positiveRows} positive rows`).toBeGreaterThanOrEqual(2 * corpus.positiveRows);
  });

  it('passes the precision gate: a positive for every engine rule, and precision up to each rule’s confidence', () => {
    expect(report, 'the corpus could not be evaluated (see the corpus test)').not.toBeNull();
    const failures = report?.gate.failures.map((f) => f.message) ?? [];
    expect(failures, `precision gate failed for ${failures.length} rules:\n  ${failures.join('\n  ')}\n`).toEqual([]);
  });

  it('covers at least 60 distinct command techniques across at least 10 tactics', () => {
    const emits = pack.rules.filter((r) => r.appliesTo.includes('command')).flatMap((r) => r.emits);
    const techniques = new Set(emits.map((e) => e.techniqueId));
    const tactics = new Set(emits.map((e) => e.tactic));
    expect(techniques.size, `command rules emit ${techniques.size} distinct techniques`).toBeGreaterThanOrEqual(60);
    expect(tactics.size, `command rules emit under ${tactics.size} tactics: ${[...tactics].sort().join(', ')}`).toBeGreaterThanOrEqual(10);
  });

  it('has at least 8 http_request rules and 3 agent_action rules', () => {
    const count = (kind: string) => pack.rules.filter((r) => r.appliesTo.includes(kind)).length;
    expect(count('http_request'), 'http_request rules').toBeGreaterThanOrEqual(8);
    expect(count('agent_action'), 'agent_action rules').toBeGreaterThanOrEqual(3);
  });
});
