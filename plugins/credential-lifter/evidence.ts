import type { Observation } from './keyed-window.ts';

/** How many distinct usernames or sources a finding quotes; the full count is always given. */
export const SAMPLE_SIZE = 10;

/** When a run of observations started and ended, and the window it was judged in. */
export function spanEvidence(run: readonly Observation<unknown>[], windowMinutes: number): Record<string, unknown> {
  const first = run[0]?.at ?? 0;
  const last = run.at(-1)?.at ?? first;
  return {
    windowSeconds: Math.round(windowMinutes * 60),
    firstAt: new Date(first).toISOString(),
    lastAt: new Date(last).toISOString(),
  };
}

/** Distinct values in order of first appearance. */
export function distinctInOrder(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** The first `SAMPLE_SIZE` distinct values, in order of first appearance, plus their total count. */
export function distinctSample(values: readonly string[]): { count: number; sample: string[] } {
  const distinct = distinctInOrder(values);
  return { count: distinct.length, sample: distinct.slice(0, SAMPLE_SIZE) };
}
