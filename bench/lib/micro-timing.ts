/**
 * Per-call timings for in-process decision benches. Each call is timed on its own with
 * `process.hrtime.bigint()` (monotonic, ns), so percentiles are real per-call figures; the clock read
 * itself adds ~0.1 µs to every sample, alike for every engine timed this way.
 */
export interface Timed {
  name: string;
  /** Nanoseconds per call, in call order, across every block. */
  samples: number[];
}

/** Times `count` sync calls of `call(i)`, appending to `into.samples`. */
export function timeSync(into: Timed, count: number, offset: number, call: (i: number) => unknown): void {
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    call(offset + i);
    into.samples.push(Number(process.hrtime.bigint() - start));
  }
}

/** The same for calls that return a promise; the sample ends when it settles. */
export async function timeAsync(into: Timed, count: number, offset: number, call: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await call(offset + i);
    into.samples.push(Number(process.hrtime.bigint() - start));
  }
}

/** Nearest-rank percentiles in microseconds (two decimals), plus calls per second of pure call time. */
export function microSummary(timed: Timed) {
  const sorted = Float64Array.from(timed.samples).sort();
  const n = sorted.length;
  const at = (p: number) => us(sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))] ?? 0);
  const total = sorted.reduce((sum, v) => sum + v, 0);
  return { calls: n, p50: at(50), p90: at(90), p99: at(99), max: at(100), mean: us(total / n), callsPerSecond: Math.round(n / (total / 1e9)) };
}

const us = (ns: number) => Math.round(ns / 10) / 100;
