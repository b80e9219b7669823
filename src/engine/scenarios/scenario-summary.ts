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
  expectedDecisions: Partial<Record<RequestStatus, number>>;
  /** Virtual time from the first step to the last. */
  durationSeconds: number;
}

const cache = new WeakMap<Scenario, ScenarioSummary>();

/** The figures `scenario(id)` shows (issue #5 §2), computed once per loaded scenario. */
export function scenarioSummary(s: Scenario): ScenarioSummary {
  const hit = cache.get(s);
  if (hit) return hit;
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
  const summary = {
    stepCount: s.steps.length,
    eventCount: events,
    requestCount: s.steps.length - events,
    labelledCount: labelled,
    labelCoverage: s.steps.length === 0 ? 0 : labelled / s.steps.length,
    expectedTechniques: [...techniques].sort(),
    expectedDecisions: decisions,
    durationSeconds: (last - first) / 1000,
  };
  cache.set(s, summary);
  return summary;
}
