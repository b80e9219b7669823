import type { AttackCatalogue } from '../engine/attack/catalogue.ts';
import type { CorpusReport } from '../engine/tagging/corpus-report.ts';

/**
 * The human-readable form of a corpus report (`gatehouse rules test`): one row per rule, one per
 * expected technique, then totals. The JSON report (`--json`, `--out`) carries everything this shows.
 */
const NAME_WIDTH = 40;

function table(header: string[], rows: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const fraction = (value: number | null) => (value === null ? '-' : value.toFixed(3));
const truncate = (text: string, width: number) => (text.length <= width ? text : `${text.slice(0, width - 1)}…`);

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
