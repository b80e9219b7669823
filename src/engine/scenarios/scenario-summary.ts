import type { RequestStatus } from '../gateway/decision.ts';
import type { Scenario } from './scenario.ts';

export interface ScenarioSummary {
  stepCount: number;
  eventCount: number;
  requestCount: number;
  labelledCount: number;
  /** Labelled steps ÷ steps (0..1); 0 for a scenario without steps. */
  labelCoverage: number;
  /** Every technique some step expects, sorted. */
  expectedTechniques: string[];
  /** Labelled decisions by status; a status no step expects is absent (read it as 0). */
  expectedDecisions: Partial<Record<RequestStatus, number>>;
  /** Virtual time from the first step to the last. */
  durationSeconds: number;
}

/**
 * The figures `scenario(id)` shows (issue #5 §2): one pass over the steps, recomputed on each call
 * rather than kept in a module-level cache (CONVENTIONS "Nothing runs on import").
 */
export function scenarioSummary(s: Scenario): ScenarioSummary {
  let events = 0;
  let labelled = 0;
  const techniques = new Set<string>();
  const decisions: Partial<Record<RequestStatus, number>> = {};
  for (const step of s.steps) {
    if (step.type === 'event') events += 1;
    if (!step.expect) continue;
    labelled += 1;
    for (const t of step.expect.techniques) techniques.add(t);
    if (step.expect.decision) decisions[step.expect.decision] = (decisions[step.expect.decision] ?? 0) + 1;
  }
  const first = s.steps[0]?.at.getTime() ?? 0;
  const last = s.steps.at(-1)?.at.getTime() ?? first;
  return {
    stepCount: s.steps.length,
    eventCount: events,
    requestCount: s.steps.length - events,
    labelledCount: labelled,
    labelCoverage: s.steps.length === 0 ? 0 : labelled / s.steps.length,
    expectedTechniques: [...techniques].sort(),
    expectedDecisions: decisions,
    durationSeconds: (last - first) / 1000,
  };
}
