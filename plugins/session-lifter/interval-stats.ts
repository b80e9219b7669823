/** How regular a series of event times is. */
export interface IntervalStats {
  /** Number of events (one more than the number of intervals). */
  readonly events: number;
  readonly meanMs: number;
  /**
   * Coefficient of variation of the intervals: population standard deviation over mean. 0 is a
   * perfect metronome; human activity is typically well above 0.5.
   */
  readonly cv: number;
}

/** Statistics of the gaps between `times` (epoch ms, oldest first), or null with fewer than three times or a zero mean gap. */
export function intervalStats(times: readonly number[]): IntervalStats | null {
  if (times.length < 3) return null;
  const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
  const meanMs = gaps.reduce((sum, g) => sum + g, 0) / gaps.length;
  if (meanMs <= 0) return null;
  const variance = gaps.reduce((sum, g) => sum + (g - meanMs) ** 2, 0) / gaps.length;
  return { events: times.length, meanMs, cv: Math.sqrt(variance) / meanMs };
}
