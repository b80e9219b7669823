import type { RunStepResult, StepOutcome } from './run-step-result.ts';
import { STEP_OUTCOMES, tagMatchesTechnique, tagTechniqueKey } from './run-step-result.ts';

/** A count under a name (GraphQL lists these rather than open-ended maps). */
export interface KeyCount {
  key: string;
  value: number;
}

/** TP/FP/FN with precision and recall; a ratio with a zero denominator is null, not 0 (issue #5 §7). */
export interface Confusion {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number | null;
  recall: number | null;
}

export interface RuleMetric extends Confusion {
  ruleId: string;
  tags: number;
}

export interface TechniqueMetric extends Confusion {
  /** Technique or sub-technique id. */
  techniqueId: string;
  tags: number;
  /** Labelled steps that expected it. */
  expected: number;
}

export interface RunMetrics {
  volume: { steps: number; events: number; requests: number; rejected: number; byKind: KeyCount[] };
  tags: { total: number; byTechnique: KeyCount[]; byRule: KeyCount[]; byTactic: KeyCount[] };
  labels: { labelled: number; unlabelled: number; complete: boolean };
  overall: Confusion;
  perRule: RuleMetric[];
  perTechnique: TechniqueMetric[];
  gateway: { requests: number; byStatus: KeyCount[]; byReason: KeyCount[]; labelled: number; correct: number; falseAllows: number; falseDenies: number };
  /** Labelled steps by outcome (blocked > alerted > logged > missed). */
  outcomes: KeyCount[];
  lifterErrors: number;
}

const ratio = (n: number, d: number) => (d === 0 ? null : n / d);
const confusion = (tp: number, fp: number, fn: number): Confusion => ({ truePositives: tp, falsePositives: fp, falseNegatives: fn, precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn) });

class Counter {
  readonly m = new Map<string, number>();
  add(key: string, n = 1) {
    this.m.set(key, (this.m.get(key) ?? 0) + n);
  }
  get(key: string) {
    return this.m.get(key) ?? 0;
  }
  list(): KeyCount[] {
    return [...this.m].map(([key, value]) => ({ key, value })).sort((a, b) => b.value - a.value || a.key.localeCompare(b.key));
  }
}

/**
 * Accumulates a run's metrics step by step (issue #5 §7). Per labelled step: a rule that tagged an
 * expected technique scores a true positive, one that tagged anything else a false positive; an
 * expected technique nothing tagged is a false negative for the technique and for every rule that
 * emits it. Unlabelled steps count only in volume and tag totals unless labels are complete (then
 * they expect nothing). `ruleEmits` maps a rule id to the technique and sub-technique ids it emits.
 */
export function createRunMetrics(options: { labelsComplete: boolean; ruleEmits: ReadonlyMap<string, readonly { techniqueId: string; subTechniqueId: string | null }[]> }) {
  const byKind = new Counter();
  const tagsByTechnique = new Counter();
  const tagsByRule = new Counter();
  const tagsByTactic = new Counter();
  const rule = { tp: new Counter(), fp: new Counter(), fn: new Counter() };
  const technique = { tp: new Counter(), fp: new Counter(), fn: new Counter(), expected: new Counter() };
  const status = new Counter();
  const reasons = new Counter();
  const outcomes = new Counter();
  let steps = 0;
  let events = 0;
  let requests = 0;
  let rejected = 0;
  let labelled = 0;
  const overall = { tp: 0, fp: 0, fn: 0 };
  const gateway = { labelled: 0, correct: 0, falseAllows: 0, falseDenies: 0 };

  const emitting = new Map<string, string[]>();
  const rulesEmitting = (expected: string) => {
    let ids = emitting.get(expected);
    if (!ids) emitting.set(expected, (ids = [...options.ruleEmits].filter(([, emits]) => emits.some((e) => tagMatchesTechnique(e, expected))).map(([id]) => id)));
    return ids;
  };

  return {
    add(step: RunStepResult) {
      steps += 1;
      if (step.type === 'event') events += 1;
      else requests += 1;
      if (step.error) rejected += 1;
      byKind.add(step.sourceKind);
      for (const t of step.tags) {
        tagsByTechnique.add(tagTechniqueKey(t));
        tagsByRule.add(t.ruleId);
        tagsByTactic.add(t.tactic);
      }
      if (step.decision) status.add(step.decision);
      if (step.reasonCode) reasons.add(step.reasonCode);
      const expect = step.expect ?? (options.labelsComplete ? { techniques: [], decision: null } : null);
      if (!expect) return;
      labelled += 1;
      outcomes.add(step.outcome);
      const rulesHere = new Map<string, { matched: boolean; unmatched: boolean }>();
      for (const t of step.tags) {
        const matched = expect.techniques.some((e) => tagMatchesTechnique(t, e));
        const r = rulesHere.get(t.ruleId) ?? { matched: false, unmatched: false };
        if (matched) r.matched = true;
        else r.unmatched = true;
        rulesHere.set(t.ruleId, r);
      }
      for (const [id, r] of rulesHere) {
        if (r.matched) rule.tp.add(id);
        if (r.unmatched) rule.fp.add(id);
      }
      const unexpected = new Set(step.tags.filter((t) => !expect.techniques.some((e) => tagMatchesTechnique(t, e))).map(tagTechniqueKey));
      for (const key of unexpected) technique.fp.add(key);
      overall.fp += unexpected.size;
      for (const e of new Set(expect.techniques)) {
        technique.expected.add(e);
        if (step.tags.some((t) => tagMatchesTechnique(t, e))) {
          technique.tp.add(e);
          overall.tp += 1;
        } else {
          technique.fn.add(e);
          overall.fn += 1;
          for (const id of rulesEmitting(e)) if (!rulesHere.get(id)?.matched) rule.fn.add(id);
        }
      }
      if (step.type === 'request' && expect.decision) {
        gateway.labelled += 1;
        if (step.decision === expect.decision) gateway.correct += 1;
        else if (step.decision === 'APPROVED') gateway.falseAllows += 1;
        else if (expect.decision === 'APPROVED') gateway.falseDenies += 1;
      }
    },
    summary(lifterErrors: number): RunMetrics {
      const ruleIds = new Set([...tagsByRule.m.keys(), ...rule.fn.m.keys()]);
      const techniqueIds = new Set([...tagsByTechnique.m.keys(), ...technique.expected.m.keys()]);
      return {
        volume: { steps, events, requests, rejected, byKind: byKind.list() },
        tags: { total: [...tagsByRule.m.values()].reduce((a, b) => a + b, 0), byTechnique: tagsByTechnique.list(), byRule: tagsByRule.list(), byTactic: tagsByTactic.list() },
        labels: { labelled, unlabelled: steps - labelled, complete: options.labelsComplete },
        overall: confusion(overall.tp, overall.fp, overall.fn),
        perRule: [...ruleIds].sort().map((id) => ({ ruleId: id, tags: tagsByRule.get(id), ...confusion(rule.tp.get(id), rule.fp.get(id), rule.fn.get(id)) })),
        perTechnique: [...techniqueIds].sort().map((id) => ({ techniqueId: id, tags: tagsByTechnique.get(id), expected: technique.expected.get(id), ...confusion(technique.tp.get(id), technique.fp.get(id), technique.fn.get(id)) })),
        gateway: { requests, byStatus: status.list(), byReason: reasons.list(), ...gateway },
        outcomes: STEP_OUTCOMES.map((o: StepOutcome) => ({ key: o, value: outcomes.get(o) })),
        lifterErrors,
      };
    },
  };
}

export type RunMetricsAccumulator = ReturnType<typeof createRunMetrics>;
