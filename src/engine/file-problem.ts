import type { z } from 'zod';

/**
 * One reason a configuration file (policy, scenario, preset) did not load: the file (relative to its
 * folder, `.` for the folder itself), the field inside it when there is one, and a message that names
 * what arrived. A load reports every problem it finds, not just the first (CONVENTIONS "Errors").
 */
export interface FileProblem {
  file: string;
  /** Dotted path inside the file (`SPEC-DOCS.status`, `approval_rules[0].id`), or null. */
  field: string | null;
  message: string;
}

/** `specs.yaml: 'SPEC-DOCS.status' must be one of …, got "live"`. */
export function formatFileProblem(p: FileProblem): string {
  return `${p.file}: ${p.field === null ? '' : `'${p.field}' `}${p.message}`;
}

type Path = readonly PropertyKey[];

function fieldLabel(path: Path): string | null {
  if (path.length === 0) return null;
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function valueAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), root);
}

const NOUNS: Record<string, string> = {
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
};

const show = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));

/** A union member "fits" when its failure is not a wrong type at the union's own position. */
function fitsType(issues: readonly z.core.$ZodIssue[]): boolean {
  return !issues.some((i) => i.code === 'invalid_type' && i.path.length === 0);
}

/**
 * Turns zod issues into problems worded for a file's author. Unions (e.g. the two jurisdiction forms) report
 * the member whose type matches what arrived, so a list with a bad entry is described as a list.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], raw: unknown, file: string, prefix: Path = []): FileProblem[] {
  return issues.flatMap((issue): FileProblem[] => {
    const path = [...prefix, ...issue.path];
    const value = valueAt(raw, path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const keys = issue.keys.map((k) => `'${k}'`).join(', ');
        const field = fieldLabel(path);
        return [{ file, field, message: `${field === null ? 'unknown' : 'has unknown'} key${issue.keys.length > 1 ? 's' : ''} ${keys}` }];
      }
      case 'custom':
      case 'invalid_key': {
        if (issue.code === 'custom' && issue.params?.['key'] !== true) return [{ file, field: fieldLabel(path), message: `${issue.message}, got ${show(value)}` }];
        const key = path[path.length - 1];
        const reason = issue.code === 'custom' ? issue.message : issue.issues.map((i) => i.message).join('; ');
        return [{ file, field: fieldLabel(path.slice(0, -1)), message: `key ${JSON.stringify(String(key))} ${reason}` }];
      }
      case 'invalid_union': {
        const fitting = issue.errors.filter(fitsType);
        if (fitting.length === 1 && fitting[0]) return describeIssues(fitting[0], raw, file, path);
        const expected = issue.errors.flatMap((branch) => branch.filter((i) => i.code === 'invalid_type' && i.path.length === 0).map((i) => NOUNS[(i as { expected: string }).expected] ?? (i as { expected: string }).expected));
        return [{ file, field: fieldLabel(path), message: `must be ${[...new Set(expected)].join(' or ')}, got ${show(value)}` }];
      }
      case 'invalid_type':
        if (value === undefined) return [{ file, field: fieldLabel(path), message: 'is required' }];
        return [{ file, field: fieldLabel(path), message: `must be ${NOUNS[issue.expected] ?? issue.expected}, got ${show(value)}` }];
      default:
        return [{ file, field: fieldLabel(path), message: `${issue.message.replace(/^Invalid input: /, '')}, got ${show(value)}` }];
    }
  });
}
