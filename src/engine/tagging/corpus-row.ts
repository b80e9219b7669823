import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/**
 * One labelled row of a rule-test corpus (`test/corpus/*.jsonl`, one JSON object per line): an
 * event as a source would send it, plus what a correct rule pack should say about it. A row that
 * expects nothing is a benign negative; any rule firing on it is a false positive.
 */
const TECHNIQUE = /^T\d{4}(\.\d{3})?$/;

export const corpusRowSchema = z
  .object({
    source_kind: z.string().min(1),
    payload: z.record(z.string(), z.unknown(), 'must be a JSON object'),
    expected_techniques: z.array(z.string().regex(TECHNIQUE, 'must be a technique id like "T1003" or "T1003.008"')).default([]),
    expected_rule_ids: z.array(z.string().min(1)).default([]),
    /** What the row is, for people reading a report (e.g. "nightly backup tar of /etc"). */
    label: z.string().min(1, 'must be a non-empty description of the row'),
    /** Event time; rows without one share a fixed time, so results never depend on the clock. */
    occurred_at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export type CorpusRowFields = z.output<typeof corpusRowSchema>;

export interface CorpusRow extends CorpusRowFields {
  /** The corpus file as the caller named it. */
  file: string;
  /** 1-based line number in that file. */
  line: number;
}

/** Rows that could not be parsed; `problems` has one `file:line: ...` entry per problem, all of them. */
export class CorpusError extends Error {
  override name = 'CorpusError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

function fieldOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || '(row)';
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), root);
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  const value = valueAt(raw, issue.path);
  if (value === undefined && issue.code === 'invalid_type') return `'${fieldOf(issue.path)}' is required`;
  return `'${fieldOf(issue.path)}' ${issue.message.replace(/^Invalid input: /, '')}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`;
}

/**
 * Parses one JSONL corpus file's text. Blank lines are skipped; every bad line is reported (as
 * `file:line: 'field' ...`) in one {@link CorpusError} rather than stopping at the first.
 */
export function parseCorpus(text: string, file: string): CorpusRow[] {
  const rows: CorpusRow[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((content, i) => {
    const line = i + 1;
    if (content.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(content);
    } catch (err) {
      problems.push(`${file}:${line}: is not valid JSON: ${(err as Error).message}`);
      return;
    }
    const parsed = corpusRowSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${file}:${line}: ${describeIssue(issue, raw)}`);
      return;
    }
    rows.push({ ...parsed.data, file, line });
  });
  if (problems.length > 0) throw new CorpusError(problems);
  return rows;
}

/**
 * Reads and parses corpus files in the order given (order matters to lifters, which see rows as a
 * stream). Problems from every file are collected into one {@link CorpusError}.
 */
export async function loadCorpus(files: readonly { path: string; label: string }[]): Promise<CorpusRow[]> {
  const rows: CorpusRow[] = [];
  const problems: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file.path, 'utf8');
    } catch (err) {
      problems.push(`${file.label}: could not be read: ${(err as Error).message}`);
      continue;
    }
    try {
      rows.push(...parseCorpus(text, file.label));
    } catch (err) {
      if (!(err instanceof CorpusError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length > 0) throw new CorpusError(problems);
  return rows;
}
