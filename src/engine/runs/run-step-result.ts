import type { RequestStatus } from '../gateway/decision.ts';
import type { Expectation } from '../scenarios/scenario.ts';

/** A tag as a run step result keeps it (enough for metrics, export and the Navigator layer). */
export interface StepTag {
  id: string;
  ruleId: string;
  tactic: string;
  techniqueId: string;
  subTechniqueId: string | null;
  confidence: number;
}

/** Per labelled step: which way the labels and the tags disagree, if at all. */
export const STEP_VERDICTS = ['TRUE_POSITIVE', 'TRUE_NEGATIVE', 'FALSE_POSITIVE', 'FALSE_NEGATIVE', 'MIXED', 'UNLABELLED'] as const;
export type StepVerdict = (typeof STEP_VERDICTS)[number];

/**
 * What happened to a step, best first (issue #5 §7): `blocked` the gateway denied it; `alerted` it was
 * tagged; `logged` it was recorded without a tag; `missed` it was expected to be caught (expected
 * techniques, or an expected denial) and was neither blocked nor tagged, or it could not be processed.
 */
export const STEP_OUTCOMES = ['blocked', 'alerted', 'logged', 'missed'] as const;
export type StepOutcome = (typeof STEP_OUTCOMES)[number];

/** The result of one processed step: stored with the run and exported as one `events.jsonl` line. */
export interface RunStepResult {
  index: number;
  type: 'event' | 'request';
  at: Date;
  sourceKind: string;
  sourceId: string;
  /** Gateway request id (request steps). */
  requestId: string | null;
  /** The step's input as replayed (event or request), for the export. */
  input: Record<string, unknown>;
  tags: StepTag[];
  decision: RequestStatus | null;
  reasonCode: string | null;
  expect: Expectation | null;
  verdict: StepVerdict;
  outcome: StepOutcome;
  /** Why the step could not be processed (invalid event), else null. */
  error: string | null;
}

/** True when a tag is evidence of an expected technique: the same id, or a sub-technique of an expected parent. */
export function tagMatchesTechnique(tag: Pick<StepTag, 'techniqueId' | 'subTechniqueId'>, expected: string): boolean {
  return tag.subTechniqueId === expected || (!expected.includes('.') && tag.techniqueId === expected);
}

export const tagTechniqueKey = (tag: Pick<StepTag, 'techniqueId' | 'subTechniqueId'>): string => tag.subTechniqueId ?? tag.techniqueId;

/** The expectation a step is judged against: its own, or "nothing" when labels are complete. */
export function effectiveExpectation(expect: Expectation | null, labelsComplete: boolean): Expectation | null {
  return expect ?? (labelsComplete ? { techniques: [], decision: null } : null);
}

/** Judges one step against its expectation (see STEP_VERDICTS and STEP_OUTCOMES). */
export function judgeStep(step: { tags: readonly StepTag[]; decision: RequestStatus | null; error: string | null }, expect: Expectation | null): { verdict: StepVerdict; outcome: StepOutcome } {
  const blocked = step.decision === 'DENIED';
  const outcome: StepOutcome = blocked ? 'blocked' : step.tags.length > 0 ? 'alerted' : step.error === null && !(expect && (expect.techniques.length > 0 || expect.decision === 'DENIED')) ? 'logged' : 'missed';
  if (!expect) return { verdict: 'UNLABELLED', outcome };
  const missing = expect.techniques.some((e) => !step.tags.some((t) => tagMatchesTechnique(t, e)));
  const unexpected = step.tags.some((t) => !expect.techniques.some((e) => tagMatchesTechnique(t, e)));
  const verdict: StepVerdict =
    missing && unexpected ? 'MIXED' : missing ? 'FALSE_NEGATIVE' : unexpected ? 'FALSE_POSITIVE' : expect.techniques.length > 0 ? 'TRUE_POSITIVE' : 'TRUE_NEGATIVE';
  return { verdict, outcome };
}
