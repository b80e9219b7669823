import { availableParallelism, cpus, loadavg, platform, release } from 'node:os';

/** A positive integer from the environment variable `name`, or `fallback` when unset; throws on anything else. */
export function readPositiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}: expected a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** Where a figure was measured: results are only comparable on the same machine and Node. */
export function machineFacts() {
  return {
    node: process.version,
    cpuCount: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    platform: `${platform()} ${release()}`,
  };
}

/**
 * The 1-minute load average (0 on Windows). Above the CPU count, other processes are competing with
 * the bench, and requests/s figures from that run say more about the neighbours than the server.
 */
export function loadAverage1m(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

/** Space-separated words from the environment variable `name` (e.g. Node flags for a child), or none. */
export function readWords(name: string): string[] {
  return (process.env[name] ?? '').split(' ').filter(Boolean);
}
