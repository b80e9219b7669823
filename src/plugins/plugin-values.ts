/**
 * Small helpers for reading an untrusted plugin value safely and describing it in messages
 * ("..., got 2", "..., got nothing"). Used while validating, before the value has a type.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The object items of an array with their indexes; anything else yields nothing. */
export function recordsIn(value: unknown): [number, Record<string, unknown>][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown, i) => (isRecord(item) ? [[i, item] as [number, Record<string, unknown>]] : []));
}

/** The string items of an array with their indexes; anything else yields nothing. */
export function stringsIn(value: unknown): [number, string][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown, i) => (typeof item === 'string' ? [[i, item] as [number, string]] : []));
}

/** `lifters[0].id` from `['lifters', 0, 'id']`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`), '');
}

const MAX_SHOWN = 80;

/** How a message shows what arrived: JSON for data, words for what JSON cannot show. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint' || typeof value === 'symbol') return String(value);
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = Array.isArray(value) ? 'an array' : 'an object';
  }
  return shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN - 1)}…` : shown;
}

/** The message of anything thrown: plugins may throw non-Errors. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : describeValue(err);
}
