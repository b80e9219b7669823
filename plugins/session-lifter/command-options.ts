/** A program's arguments split into operands, option values and flags, getopt style. */
export interface ReadOptions {
  /** Non-option arguments, in order. */
  readonly operands: readonly string[];
  /** Values of options that take one, by option name (`-T`, `--upload-file`), in order. */
  readonly values: ReadonlyMap<string, readonly string[]>;
  /** Options that take no value, one entry per letter for clusters (`-lvp` → `-l`, `-v`, `-p`…). */
  readonly flags: ReadonlySet<string>;
}

/**
 * Splits `args` the way getopt_long would for a program whose value-taking options are `withValue`:
 * `--name=value`, `--name value`, `-xVALUE`, `-x VALUE`, clusters like `-czf out`, and `--` ending
 * options. Knowing which options take a value is what keeps `-o out.txt` from being read as a URL.
 */
export function readOptions(args: readonly string[], withValue: ReadonlySet<string>): ReadOptions {
  const operands: string[] = [];
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const put = (name: string, value: string | undefined) => {
    if (value === undefined) return;
    values.set(name, [...(values.get(name) ?? []), value]);
  };
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq !== -1) put(arg.slice(0, eq), arg.slice(eq + 1));
      else if (withValue.has(arg)) put(arg, args[(i += 1)]);
      else flags.add(arg);
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j += 1) {
        const name = `-${arg[j]}`;
        if (!withValue.has(name)) {
          flags.add(name);
          continue;
        }
        put(name, j + 1 < arg.length ? arg.slice(j + 1) : args[(i += 1)]);
        break;
      }
    } else {
      operands.push(arg);
    }
  }
  return { operands, values, flags };
}

/** Every value given for any of `names`, in argument order per name. */
export function valuesOf(read: ReadOptions, ...names: readonly string[]): string[] {
  return names.flatMap((name) => read.values.get(name) ?? []);
}
