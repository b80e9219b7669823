import { availableParallelism, cpus, platform, release } from 'node:os';

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
