/**
 * Strict reading of an action's params (DESIGN §7: the gateway denies `invalid_params` when
 * `parseParams` throws). Unknown keys are errors, so a typo (`create_dir`) never silently becomes a
 * default. Every problem is collected and `done()` throws them together, each naming the parameter and
 * quoting what arrived: `write_file: 'content' must be a string, got 42`.
 */

/** Longest quoted value in a message: params may carry a megabyte of content. */
const MAX_QUOTED = 80;

/** Renders a received value the way messages quote it: JSON where possible, shortened. */
export function quote(value: unknown): string {
  if (value === undefined) return 'nothing';
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  return shown.length > MAX_QUOTED ? `${shown.slice(0, MAX_QUOTED - 1)}…` : shown;
}

/**
 * A lone UTF-16 surrogate cannot be encoded as UTF-8: Node would silently write U+FFFD instead, so the
 * file would not hold what the agent sent. With the `u` flag a paired surrogate is one code point and
 * does not match this class; only lone ones do.
 */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Longest `path` accepted, as Linux PATH_MAX; the gateway applies the exact byte limits. */
const MAX_PATH_LENGTH = 4096;

export interface ParamReader {
  /** The required `path` parameter: a non-empty string without NUL, at most 4096 characters. */
  path(): string;
  /** A string parameter, required; `nonEmpty` refuses `""`. Lone surrogates are refused. */
  text(name: string, options: { nonEmpty: boolean }): string;
  /** An integer in [min, max]; `fallback` when absent, or `undefined` when no fallback is given. */
  integer(name: string, range: { min: number; max: number }): number | undefined;
  integer(name: string, range: { min: number; max: number }, fallback: number): number;
  /** true or false; `fallback` when absent. */
  boolean(name: string, fallback: boolean): boolean;
  /** Throws one Error listing every problem found, if any. */
  done(): void;
}

/** Starts reading `params` for action `action`; any key outside `known` is a problem. */
export function createParamReader(action: string, params: unknown, known: readonly string[]): ParamReader {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new Error(`${action}: params must be an object with ${known.map((k) => `'${k}'`).join(', ')}, got ${quote(params)}`);
  }
  const record = params as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) problems.push(`unknown parameter '${key}' (known parameters: ${known.join(', ')})`);
  }
  const has = (name: string) => Object.hasOwn(record, name) && record[name] !== undefined;
  const wrong = (name: string, expected: string) => problems.push(`'${name}' must be ${expected}, got ${quote(record[name])}`);

  function text(name: string, options: { nonEmpty: boolean }): string {
    const value = record[name];
    const expected = options.nonEmpty ? 'a non-empty string' : 'a string';
    if (!has(name)) {
      problems.push(`'${name}' is required (${expected})`);
      return '';
    }
    if (typeof value !== 'string' || (options.nonEmpty && value === '')) {
      wrong(name, expected);
      return '';
    }
    const lone = LONE_SURROGATE.exec(value);
    if (lone) {
      problems.push(`'${name}' must be well-formed text, but it holds a lone surrogate at index ${lone.index}, which UTF-8 cannot encode: ${quote(value)}`);
      return '';
    }
    return value;
  }

  function integer(name: string, { min, max }: { min: number; max: number }, fallback?: number): number | undefined {
    if (!has(name)) return fallback;
    const value = record[name];
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    wrong(name, `an integer from ${min} to ${max}`);
    return fallback ?? min;
  }

  return {
    path() {
      const value = text('path', { nonEmpty: true });
      if (value.includes('\u0000')) problems.push(`'path' must not contain a NUL character, got ${quote(value)}`);
      else if (value.length > MAX_PATH_LENGTH) problems.push(`'path' must be at most ${MAX_PATH_LENGTH} characters, got ${value.length}`);
      return value;
    },
    text,
    integer: integer as ParamReader['integer'],
    boolean(name, fallback) {
      if (!has(name)) return fallback;
      const value = record[name];
      if (typeof value === 'boolean') return value;
      wrong(name, 'true or false');
      return fallback;
    },
    done() {
      if (problems.length > 0) throw new Error(`${action}: ${problems.join('; ')}`);
    },
  };
}
