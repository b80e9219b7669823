/**
 * A small, forgiving reader for the shell command lines attackers type into honeypots.
 *
 * It understands enough to find programs and their operands: quotes and backslashes, `;` `&&` `||`
 * `&` and newlines between pipelines, `|` inside them, `>`/`>>`/`<` redirects (with an fd number or
 * `&>`), `#` comments, prefixes that only change how a program runs (`sudo`, `env X=1`, `nohup`,
 * `timeout 10`, assignments) and `sh -c '…'` wrappers. It is not a shell: no expansion, no heredocs,
 * and it never throws — a line it half understands yields what it could read.
 */

/** A redirect: `>` and `>>` write `target`, `<` reads it. `fd` is the number before it, if any. */
export interface Redirect {
  readonly op: '>' | '>>' | '<';
  readonly fd: number | null;
  readonly target: string;
}

/** One program run: its words after prefixes are removed (`argv[0]` is a basename) and its redirects. */
export interface SimpleCommand {
  readonly argv: readonly string[];
  readonly redirects: readonly Redirect[];
}

/** Commands joined by `|`; each reads the previous one's output. */
export type Pipeline = readonly SimpleCommand[];

type Token = { readonly word: string } | { readonly op: string };

const SEPARATORS = new Set([';', '&&', '||', '&', '\n', '(', ')']);
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ash', 'ksh', 'busybox-sh']);
/** How deep `sh -c "sh -c '…'"` is followed; deeper nesting is read as plain words. */
const MAX_NESTING = 3;

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let word = '';
  let inWord = false;
  const end = () => {
    if (inWord) tokens.push({ word });
    word = '';
    inWord = false;
  };
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i] as string;
    const next = line[i + 1];
    if (c === '\\' && next !== undefined) {
      if (next !== '\n') word += next;
      inWord = true;
      i += 1;
    } else if (c === "'" || c === '"') {
      const close = line.indexOf(c, i + 1);
      const stop = close === -1 ? line.length : close;
      const inner = line.slice(i + 1, stop);
      word += c === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
      inWord = true;
      i = stop;
    } else if (c === '#' && !inWord) {
      while (i + 1 < line.length && line[i + 1] !== '\n') i += 1;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      end();
    } else if (c === '>' || c === '<') {
      // `2>` and `1>>`: an all-digit word glued to the operator is its fd.
      const fd = inWord && /^\d+$/.test(word) ? word : '';
      if (fd) inWord = false;
      end();
      const doubled = next === c; // `>>` appends; `<<` starts a heredoc
      const op = doubled ? c + c : c;
      if (doubled) i += 1;
      if (line[i + 1] === '&') {
        // `2>&1` duplicates a descriptor and names no file: skip its target.
        i += 1;
        while (i + 1 < line.length && /\d|-/.test(line[i + 1] as string)) i += 1;
        continue;
      }
      tokens.push({ op: `${fd}${op}` });
    } else if (c === '&' && next === '>') {
      // `&>file` and `&>>file` send both stdout and stderr to the file.
      end();
      const appends = line[i + 2] === '>';
      tokens.push({ op: appends ? '&>>' : '&>' });
      i += appends ? 2 : 1;
    } else if ('|&;()\n'.includes(c)) {
      end();
      const pair = next === c && (c === '|' || c === '&') ? c + c : c;
      tokens.push({ op: pair });
      i += pair.length - 1;
    } else {
      word += c;
      inWord = true;
    }
  }
  end();
  return tokens;
}

/** Drops prefixes that do not change which program runs, so `argv[0]` is the program. */
function unwrap(words: readonly string[]): string[] {
  let rest = [...words];
  for (let guard = 0; guard < 8 && rest.length > 0; guard += 1) {
    const head = basename(rest[0] as string);
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0] as string)) rest = rest.slice(1);
    else if (head === 'sudo' || head === 'doas' || head === 'env' || head === 'nice') rest = dropOptions(rest.slice(1), ['-u', '-g', '-n', '-C', '-h', '-p']);
    else if (head === 'timeout') rest = dropOptions(rest.slice(1), ['-s', '-k']).slice(1);
    else if (['nohup', 'time', 'exec', 'command', 'builtin', 'busybox', 'stdbuf'].includes(head)) rest = rest.slice(1);
    else break;
  }
  const [first, ...args] = rest;
  return first === undefined ? [] : [basename(first), ...args];
}

/** Drops leading `-x` options (and the value after any in `withValue`) and `X=y` assignments. */
function dropOptions(words: readonly string[], withValue: readonly string[]): string[] {
  let i = 0;
  while (i < words.length && (/^-/.test(words[i] as string) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] as string))) {
    i += withValue.includes(words[i] as string) ? 2 : 1;
  }
  return words.slice(i);
}

/** The last path segment: `/usr/bin/scp` → `scp`. */
export function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) || trimmed;
}

function toCommand(tokens: readonly Token[]): SimpleCommand {
  const words: string[] = [];
  const redirects: Redirect[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] as Token;
    if ('word' in token) {
      words.push(token.word);
      continue;
    }
    const target = tokens[i + 1];
    if (target === undefined || !('word' in target)) continue;
    i += 1;
    const match = /^(\d*|&)(>>|>|<<<|<<|<)$/.exec(token.op);
    if (!match || match[2] === '<<' || match[2] === '<<<') continue; // heredocs and here-strings carry no file
    const fd = match[1] === '' || match[1] === '&' ? null : Number(match[1]);
    redirects.push({ op: match[2] as Redirect['op'], fd, target: target.word });
  }
  return { argv: unwrap(words), redirects };
}

/** Reads a command line into its pipelines, in order, following `sh -c` wrappers. */
export function parseCommandLine(line: string, depth = 0): Pipeline[] {
  const pipelines: Pipeline[] = [];
  let pipeline: SimpleCommand[] = [];
  let current: Token[] = [];
  const flushCommand = () => {
    if (current.length > 0) pipeline.push(toCommand(current));
    current = [];
  };
  const flushPipeline = () => {
    flushCommand();
    for (const piece of expand(pipeline, depth)) if (piece.length > 0) pipelines.push(piece);
    pipeline = [];
  };
  for (const token of tokenize(line)) {
    if ('op' in token && SEPARATORS.has(token.op)) flushPipeline();
    else if ('op' in token && token.op === '|') flushCommand();
    else current.push(token);
  }
  flushPipeline();
  return pipelines;
}

/** Replaces a lone `sh -c 'script'` with the script's own pipelines. */
function expand(pipeline: Pipeline, depth: number): Pipeline[] {
  const only = pipeline.length === 1 ? pipeline[0] : undefined;
  const [program, flag, script] = only?.argv ?? [];
  if (only && depth < MAX_NESTING && program && SHELLS.has(program) && flag && /^-[a-z]*c[a-z]*$/.test(flag) && script) {
    return parseCommandLine(script, depth + 1);
  }
  return [pipeline];
}
