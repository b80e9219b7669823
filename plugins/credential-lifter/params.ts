/**
 * Strict reading of a lifter rule's `match` parameters (DESIGN §6: unknown keys are errors).
 *
 * A reader collects every problem and `done()` throws them together in one Error, so a rule author
 * fixes a file in one pass (CONVENTIONS "Report all problems at once"). Each message names the
 * parameter and quotes what arrived, e.g.
 * `lifter:brute-force: 'threshold' must be an integer from 2 to 100000, got "ten"`.
 *
 * credential-lifter and session-lifter keep identical copies: each bundled plugin folder stands
 * alone, so it can be copied, removed or versioned without the others.
 */

/** Renders a received value the way error messages quote it: JSON where possible. */
export function quote(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Reads typed parameters; getters return a placeholder on a problem, which `done()` then reports. */
export interface ParamReader {
  /** An integer in [min, max]; `fallback` when absent, required when no fallback is given. */
  integer(name: string, range: { min: number; max: number }, fallback?: number): number;
  /** A finite number with above < value ≤ max; `fallback` when absent, required when no fallback is given. */
  number(name: string, range: { above: number; max: number }, fallback?: number): number;
  boolean(name: string, fallback: boolean): boolean;
  /** A non-empty list of non-empty strings, or `fallback` when absent. */
  stringList(name: string, fallback: readonly string[] | null): readonly string[] | null;
  /** One of `values`; `fallback` when absent. */
  oneOf<const T extends string>(name: string, values: readonly T[], fallback: T): T;
  /** Records that `name` failed a check the getters cannot express, e.g. "an absolute path". */
  invalid(name: string, expected: string): void;
  /** Throws one Error listing every problem found, if any. */
  done(): void;
}

/** Starts reading `params` for rule kind `kind`; any key outside `known` is a problem. */
export function createParamReader(kind: string, params: Readonly<Record<string, unknown>>, known: readonly string[]): ParamReader {
  const problems: string[] = [];
  for (const key of Object.keys(params)) {
    if (!known.includes(key)) problems.push(`unknown parameter '${key}' (known parameters: ${known.join(', ')})`);
  }
  const has = (name: string) => Object.hasOwn(params, name) && params[name] !== undefined;

  // Reads one value: absent → fallback (or "is required"); present → the check decides.
  function read<T>(name: string, fallback: T | undefined, placeholder: T, accept: (value: unknown) => T | undefined, expected: string): T {
    if (!has(name)) {
      if (fallback !== undefined) return fallback;
      problems.push(`'${name}' is required (${expected})`);
      return placeholder;
    }
    const value = params[name];
    const accepted = accept(value);
    if (accepted !== undefined) return accepted;
    problems.push(`'${name}' must be ${expected}, got ${quote(value)}`);
    return placeholder;
  }

  return {
    integer(name, { min, max }, fallback) {
      const accept = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined);
      return read(name, fallback, min, accept, `an integer from ${min} to ${max}`);
    },
    number(name, { above, max }, fallback) {
      const accept = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > above && v <= max ? v : undefined);
      return read(name, fallback, max, accept, `a number greater than ${above} and at most ${max}`);
    },
    boolean(name, fallback) {
      return read(name, fallback, fallback, (v) => (typeof v === 'boolean' ? v : undefined), 'true or false');
    },
    stringList(name, fallback) {
      const accept = (v: unknown) =>
        Array.isArray(v) && v.length > 0 && v.every((item) => typeof item === 'string' && item.trim() !== '') ? (v as string[]) : undefined;
      if (!has(name)) return fallback;
      return read<readonly string[] | null>(name, undefined, null, accept, 'a non-empty list of non-empty strings');
    },
    oneOf(name, values, fallback) {
      const accept = (v: unknown) => values.find((candidate) => candidate === v);
      return read(name, fallback, fallback, accept, `one of ${values.map((v) => `"${v}"`).join(', ')}`);
    },
    invalid(name, expected) {
      problems.push(`'${name}' must be ${expected}, got ${quote(params[name])}`);
    },
    done() {
      if (problems.length > 0) throw new Error(`${kind}: ${problems.join('; ')}`);
    },
  };
}
