import { round } from './load.ts';

/**
 * Nearest-rank percentiles (ms) over `values[0..count)`, sorted in place. Inputs here have 1 ms
 * resolution (a GraphQL DateTime has milliseconds), so figures are whole milliseconds at best.
 */
export function latencySummary(values: Float64Array, count: number) {
  const sorted = values.subarray(0, count).sort();
  const at = (p: number) => (count === 0 ? null : (sorted[Math.min(count - 1, Math.max(0, Math.ceil((p / 100) * count) - 1))] as number));
  let sum = 0;
  for (const v of sorted) sum += v;
  return { samples: count, p50: at(50), p90: at(90), p99: at(99), max: at(100), mean: count === 0 ? null : round(sum / count, 1) };
}
