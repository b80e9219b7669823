import type { ParamReader } from './params.ts';

/**
 * The parameters every credential lifter shares: how long its window is, which services it watches
 * and how many keys (sources, accounts) it may remember at once.
 */
export interface AuthWindowParams {
  /** Width of the event-time window in minutes (fractions allowed, at most one week). */
  readonly windowMinutes: number;
  /** Lower-cased service names the rule watches (`ssh`, `http-basic`), or null for every service. */
  readonly services: readonly string[] | null;
  /** Upper bound on keys held in memory; the least recently seen key is forgotten first. */
  readonly maxTrackedKeys: number;
}

/** Parameter names `readAuthWindowParams` reads, for each lifter's list of known parameters. */
export const AUTH_WINDOW_PARAM_NAMES = ['window_minutes', 'services', 'max_tracked_keys'] as const;

/** One week: a longer window would hold attacker state far past any sensible correlation. */
const MAX_WINDOW_MINUTES = 10_080;
/** Enough for a busy internet-facing host; small enough that state stays in the low megabytes. */
export const DEFAULT_MAX_TRACKED_KEYS = 10_000;

/** Reads `window_minutes` (required), `services` and `max_tracked_keys` (optional). */
export function readAuthWindowParams(reader: ParamReader): AuthWindowParams {
  const windowMinutes = reader.number('window_minutes', { above: 0, max: MAX_WINDOW_MINUTES });
  const services = reader.stringList('services', null);
  const maxTrackedKeys = reader.integer('max_tracked_keys', { min: 1, max: 1_000_000 }, DEFAULT_MAX_TRACKED_KEYS);
  return { windowMinutes, services: services?.map((s) => s.toLowerCase()) ?? null, maxTrackedKeys };
}

/** Whether a rule with these parameters watches `service` (already lower-cased). */
export function watchesService(params: AuthWindowParams, service: string): boolean {
  return params.services === null || params.services.includes(service);
}
