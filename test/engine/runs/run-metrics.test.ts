import { describe, expect, it } from 'vitest';
import { createRunMetrics } from '../../../src/engine/runs/run-metrics.ts';
import { judgeStep, type RunStepResult, type StepTag } from '../../../src/engine/runs/run-step-result.ts';
import type { Expectation } from '../../../src/engine/scenarios/scenario.ts';
import { tag } from './run-fixtures.ts';

const EMITS = new Map([
  ['R1001', [{ techniqueId: 'T1003', subTechniqueId: 'T1003.008' }]],
  ['R1101', [{ techniqueId: 'T1082', subTechniqueId: null }]],
  ['R1200', [{ techniqueId: 'T1053', subTechniqueId: 'T1053.003' }]],
]);

function step(index: number, tags: StepTag[], expect: Expectation | null, extra: Partial<RunStepResult> = {}): RunStepResult {
  const judged = judgeStep({ tags, decision: extra.decision ?? null, error: extra.error ?? null }, expect);
  return { index, type: 'event', at: new Date(0), sourceKind: 'command', sourceId: `s${index}`, requestId: null, input: {}, tags, decision: null, reasonCode: null, expect, error: null, ...judged, ...extra };
}

describe('run metrics', () => {
  it('scores true positives, false positives and false negatives per rule and per technique', () => {
    const m = createRunMetrics({ labelsComplete: false, ruleEmits: EMITS });
    m.add(step(0, [tag('R1001', 'T1003', 'T1003.008')], { techniques: ['T1003.008'], decision: null }));
    m.add(step(1, [tag('R1101', 'T1082')], { techniques: ['T1003.008'], decision: null })); // wrong technique, and a miss
    m.add(step(2, [], { techniques: ['T1053.003'], decision: null })); // missed
    const s = m.summary(0);
    expect(s.overall).toEqual({ truePositives: 1, falsePositives: 1, falseNegatives: 2, precision: 0.5, recall: 1 / 3 });
    expect(s.perRule).toEqual([
      { ruleId: 'R1001', tags: 1, truePositives: 1, falsePositives: 0, falseNegatives: 1, precision: 1, recall: 0.5 },
      { ruleId: 'R1101', tags: 1, truePositives: 0, falsePositives: 1, falseNegatives: 0, precision: 0, recall: null },
      { ruleId: 'R1200', tags: 0, truePositives: 0, falsePositives: 0, falseNegatives: 1, precision: null, recall: 0 },
    ]);
    expect(s.perTechnique.find((t) => t.techniqueId === 'T1003.008')).toEqual({ techniqueId: 'T1003.008', tags: 1, expected: 2, truePositives: 1, falsePositives: 0, falseNegatives: 1, precision: 1, recall: 0.5 });
    expect(s.outcomes).toEqual([
      { key: 'blocked', value: 0 },
      { key: 'alerted', value: 2 },
      { key: 'logged', value: 0 },
      { key: 'missed', value: 1 },
    ]);
  });

  it('accepts a sub-technique tag as evidence of its expected parent technique', () => {
    const m = createRunMetrics({ labelsComplete: false, ruleEmits: EMITS });
    m.add(step(0, [tag('R1001', 'T1003', 'T1003.008')], { techniques: ['T1003'], decision: null }));
    expect(m.summary(0).overall).toMatchObject({ truePositives: 1, falsePositives: 0, falseNegatives: 0 });
  });

  it('does not count tags on unlabelled steps as false positives unless labels are complete', () => {
    const open = createRunMetrics({ labelsComplete: false, ruleEmits: EMITS });
    const complete = createRunMetrics({ labelsComplete: true, ruleEmits: EMITS });
    for (const m of [open, complete]) m.add(step(0, [tag('R1101', 'T1082')], null));
    expect(open.summary(0).overall).toEqual({ truePositives: 0, falsePositives: 0, falseNegatives: 0, precision: null, recall: null });
    expect(open.summary(0).labels).toEqual({ labelled: 0, unlabelled: 1, complete: false });
    expect(complete.summary(0).overall).toMatchObject({ falsePositives: 1, precision: 0, recall: null });
  });

  it('counts false allows and false denies of labelled gateway requests', () => {
    const m = createRunMetrics({ labelsComplete: false, ruleEmits: EMITS });
    const request = (index: number, decision: 'APPROVED' | 'DENIED', expected: 'APPROVED' | 'DENIED', reasonCode: string | null = null) =>
      step(index, [], { techniques: [], decision: expected }, { type: 'request', sourceKind: 'agent_action', decision, reasonCode });
    m.add(request(0, 'APPROVED', 'DENIED'));
    m.add(request(1, 'DENIED', 'APPROVED', 'path_outside_root'));
    m.add(request(2, 'DENIED', 'DENIED', 'blocked_by_detection'));
    const g = m.summary(0).gateway;
    expect(g).toMatchObject({ requests: 3, labelled: 3, correct: 1, falseAllows: 1, falseDenies: 1 });
    expect(g.byReason).toEqual([
      { key: 'blocked_by_detection', value: 1 },
      { key: 'path_outside_root', value: 1 },
    ]);
  });

  it('ranks outcomes blocked over alerted over logged, and a missed denial as missed', () => {
    expect(judgeStep({ tags: [tag('R1', 'T1059')], decision: 'DENIED', error: null }, { techniques: [], decision: 'DENIED' }).outcome).toBe('blocked');
    expect(judgeStep({ tags: [tag('R1', 'T1059')], decision: 'APPROVED', error: null }, null).outcome).toBe('alerted');
    expect(judgeStep({ tags: [], decision: null, error: null }, { techniques: [], decision: null })).toEqual({ verdict: 'TRUE_NEGATIVE', outcome: 'logged' });
    expect(judgeStep({ tags: [], decision: 'APPROVED', error: null }, { techniques: [], decision: 'DENIED' }).outcome).toBe('missed');
    expect(judgeStep({ tags: [], decision: null, error: 'bad payload' }, null).outcome).toBe('missed');
    expect(judgeStep({ tags: [tag('R1', 'T1082')], decision: null, error: null }, { techniques: ['T1003'], decision: null }).verdict).toBe('MIXED');
  });
});
