import type { AttackCatalogue } from '../engine/attack/catalogue.ts';
import type { CorpusReport } from '../engine/tagging/corpus-report.ts';
import { fraction, table, truncate } from './text-table.ts';

/**
 * The human-readable form of a corpus report (`gatehouse rules test`): one row per rule, one per
 * expected technique, then totals. The JSON report (`--json`, `--out`) carries everything this shows.
 */
const NAME_WIDTH = 40;

export function renderCorpusReport(report: CorpusReport, catalogue: AttackCatalogue): string {
  const failing = new Set(report.gate.failures.map((f) => f.ruleId));
  const ruleRows = report.rules.map((r) => [
    r.ruleId,
    truncate(r.name, NAME_WIDTH),
    String(r.confidence),
    r.owner === null ? 'not run' : String(r.fired),
    String(r.truePositives),
    String(r.falsePositives),
    fraction(r.precision),
    r.requiredPrecision === null ? '-' : `≥${r.requiredPrecision.toFixed(2)}`,
    fraction(r.recall),
    failing.has(r.ruleId) ? 'FAIL' : '',
  ]);
  const techniqueRows = report.techniques.map((t) => [
    t.techniqueId,
    truncate(catalogue.technique(t.techniqueId)?.name ?? '?', NAME_WIDTH),
    String(t.expectedRows),
    String(t.truePositives),
    String(t.falseNegatives),
    fraction(t.recall),
  ]);
  const { rows, positiveRows, negativeRows, files } = report.corpus;
  return [
    table(['rule', 'name', 'confidence', 'fired', 'TP', 'FP', 'precision', 'needs', 'recall', 'gate'], ruleRows, new Set([2, 3, 4, 5, 6, 8])),
    '',
    table(['technique', 'name', 'expected', 'TP', 'FN', 'recall'], techniqueRows, new Set([2, 3, 4, 5])),
    '',
    `corpus: ${rows} rows (${positiveRows} positive, ${negativeRows} negative) from ${files.length} file${files.length === 1 ? '' : 's'}`,
    ...report.problems.map((p) => `not run: ${p.ruleId} (${p.sourcePath}): ${p.message}`),
    ...report.warnings.map((w) => `warning: ${w}`),
    report.gate.passed ? 'precision gate: passed' : `precision gate: FAILED (${report.gate.failures.length} rule${report.gate.failures.length === 1 ? '' : 's'})`,
    '',
  ].join('\n');
}
