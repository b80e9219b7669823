import type { AttackCatalogue } from '../engine/attack/catalogue.ts';
import type { RunRecord } from '../engine/runs/run.ts';
import { fraction, table, truncate } from './text-table.ts';

const NAME_WIDTH = 36;
const count = (list: readonly { key: string; value: number }[], key: string) => list.find((c) => c.key === key)?.value ?? 0;

/**
 * The human-readable result of `gatehouse replay`: what ran, recall per technique, precision per rule,
 * gateway decisions and the outcome of every labelled step. `--json` prints the run record instead.
 */
export function renderReplayReport(run: RunRecord, catalogue: AttackCatalogue): string {
  const m = run.metrics;
  const head = [
    `run ${run.runId}: ${run.scenarioName} (${run.scenarioId}) ${run.state}${run.endReason ? ` (${run.endReason})` : ''}${run.message ? `: ${run.message}` : ''}`,
    `${run.progress.eventsCompleted}/${run.progress.eventsTotal} steps, ${run.progress.ticksCompleted} ticks, ${Math.round(run.progress.eventsPerSecond).toLocaleString('en-US')} steps/s`,
  ];
  if (!m) return [...head, 'metrics: off for this run', ''].join('\n');
  const techniques = m.perTechnique.map((t) => [t.techniqueId, truncate(catalogue.technique(t.techniqueId)?.name ?? '?', NAME_WIDTH), String(t.expected), String(t.tags), String(t.truePositives), String(t.falsePositives), String(t.falseNegatives), fraction(t.precision), fraction(t.recall)]);
  const rules = m.perRule.map((r) => [r.ruleId, String(r.tags), String(r.truePositives), String(r.falsePositives), String(r.falseNegatives), fraction(r.precision), fraction(r.recall)]);
  const o = m.overall;
  return [
    ...head,
    `labels: ${m.labels.labelled} labelled, ${m.labels.unlabelled} unlabelled${m.labels.complete ? ' (labels complete: unlabelled steps expect nothing)' : ''}`,
    '',
    techniques.length ? table(['technique', 'name', 'expected', 'tags', 'TP', 'FP', 'FN', 'precision', 'recall'], techniques, new Set([2, 3, 4, 5, 6, 7, 8])) : 'no techniques expected or tagged',
    '',
    rules.length ? table(['rule', 'tags', 'TP', 'FP', 'FN', 'precision', 'recall'], rules, new Set([1, 2, 3, 4, 5, 6])) : 'no rule fired',
    '',
    `overall: ${o.truePositives} TP, ${o.falsePositives} FP, ${o.falseNegatives} FN, precision ${fraction(o.precision)}, recall ${fraction(o.recall)}`,
    `gateway: ${m.gateway.requests} requests (${m.gateway.byStatus.map((s) => `${s.value} ${s.key}`).join(', ') || 'none'}), ${m.gateway.labelled} labelled, ${m.gateway.falseAllows} false allows, ${m.gateway.falseDenies} false denies`,
    `outcomes of labelled steps: ${['blocked', 'alerted', 'logged', 'missed'].map((k) => `${count(m.outcomes, k)} ${k}`).join(', ')}`,
    ...(m.lifterErrors > 0 ? [`lifter errors or timeouts: ${m.lifterErrors}`] : []),
    '',
  ].join('\n');
}
