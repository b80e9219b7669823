import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import type { ApprovalRule, Jurisdiction, Spec } from './policy.ts';
import { describeIssues, type PolicyProblem } from './policy-problem.ts';
import {
  approvalsFileSchema,
  jurisdictionsFileSchema,
  legacyJurisdictionsJsonSchema,
  legacySpecsJsonSchema,
  protectedFileSchema,
  specsFileSchema,
} from './policy-schema.ts';

/**
 * Turns the text of one policy file into the normalised value the Policy holds, or every problem with
 * it. Pure: no I/O, so load-policy.ts can parse every file before it swaps anything in. Paths and
 * globs are normalised to Unicode NFC, as request paths are (canonical-path.ts).
 */
export type ParsedPolicyFile<T> = { ok: true; value: T } | { ok: false; problems: PolicyProblem[] };

export type PolicyFileFormat = 'yaml' | 'json';

const nfc = (s: string): string => s.normalize('NFC');

/** YAML or JSON text → plain data. JSON is also read as YAML (a superset) only to catch duplicate keys, which JSON.parse would let the last one win. */
function readData(text: string, file: string, format: PolicyFileFormat): ParsedPolicyFile<unknown> {
  const fail = (message: string): ParsedPolicyFile<unknown> => ({ ok: false, problems: [{ file, field: null, message }] });
  let raw: unknown;
  if (format === 'json') {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      return fail(`is not valid JSON: ${(err as Error).message}`);
    }
  }
  try {
    const asYaml: unknown = parseYaml(text, { uniqueKeys: true, prettyErrors: true });
    if (format === 'yaml') raw = asYaml;
  } catch (err) {
    const duplicate = err instanceof YAMLParseError && err.code === 'DUPLICATE_KEY';
    const first = err instanceof YAMLParseError ? (err.message.split('\n')[0] ?? err.message) : String(err);
    if (format === 'yaml') return fail(`is not valid YAML: ${first}`);
    if (duplicate) return fail(`has a duplicate key: ${first}`);
  }
  if (raw === null || raw === undefined) return fail('is empty');
  return { ok: true, value: raw };
}

function validate<S extends z.ZodType>(schema: S, text: string, file: string, format: PolicyFileFormat): ParsedPolicyFile<z.output<S>> {
  const data = readData(text, file, format);
  if (!data.ok) return data;
  const parsed = schema.safeParse(data.value);
  if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error.issues, data.value, file) };
  return { ok: true, value: parsed.data };
}

function unwrap<T, U>(parsed: ParsedPolicyFile<T>, inner: (value: T) => U): ParsedPolicyFile<U> {
  return parsed.ok ? { ok: true, value: inner(parsed.value) } : parsed;
}

/** `specs.yaml` (id → spec) or the older `specs.json` (`{ "specs": { … } }`). */
export function parseSpecsFile(text: string, file: string, format: PolicyFileFormat): ParsedPolicyFile<Map<string, Spec>> {
  const parsed = format === 'json' ? unwrap(validate(legacySpecsJsonSchema, text, file, format), (v) => v.specs) : validate(specsFileSchema, text, file, format);
  if (!parsed.ok) return parsed;
  const specs = new Map<string, Spec>();
  for (const [id, s] of Object.entries(parsed.value)) {
    specs.set(id, { id, title: s.title, status: s.status, roles: s.roles, actionTypes: s.action_types, paths: s.paths.map(nfc) });
  }
  return { ok: true, value: specs };
}

/**
 * `jurisdictions.yaml` (role → { paths, action_types } or role → [paths]) or the older
 * `jurisdictions.json` (`{ "jurisdictions": { … } }`). The short form allows no action kinds.
 */
export function parseJurisdictionsFile(text: string, file: string, format: PolicyFileFormat): ParsedPolicyFile<Map<string, Jurisdiction>> {
  const parsed =
    format === 'json' ? unwrap(validate(legacyJurisdictionsJsonSchema, text, file, format), (v) => v.jurisdictions) : validate(jurisdictionsFileSchema, text, file, format);
  if (!parsed.ok) return parsed;
  const jurisdictions = new Map<string, Jurisdiction>();
  for (const [role, j] of Object.entries(parsed.value)) {
    jurisdictions.set(role, Array.isArray(j) ? { role, paths: j.map(nfc), actionTypes: [] } : { role, paths: j.paths.map(nfc), actionTypes: j.action_types });
  }
  return { ok: true, value: jurisdictions };
}

/** `protected.yaml` / `protected.json`: `protected_paths: [...]`. */
export function parseProtectedFile(text: string, file: string, format: PolicyFileFormat): ParsedPolicyFile<string[]> {
  const parsed = validate(protectedFileSchema, text, file, format);
  return parsed.ok ? { ok: true, value: parsed.value.protected_paths.map(nfc) } : parsed;
}

/**
 * Normalises an approval glob to `/`-separated components without `.` or empty ones. Globs are matched
 * against paths relative to the project root, so an absolute glob or a `..` component can never match
 * and is refused; `**` is only meaningful as a whole component.
 */
function normaliseGlob(glob: string): { glob: string } | { problem: string } {
  if (glob.startsWith('/')) return { problem: 'must be relative to the project root (globs match paths below it)' };
  const parts = nfc(glob).split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) return { problem: "must not contain a '..' component" };
  if (parts.some((c) => c.includes('**') && c !== '**')) return { problem: "uses '**' inside a component; '**' must be a whole component (like docs/**/notes.md)" };
  if (parts.length === 0) return { problem: 'must name something below the project root' };
  return { glob: parts.join('/') };
}

/** `approvals.yaml` / `approvals.json`: `approval_rules: [{ id, actions?, paths?, description }]`. */
export function parseApprovalsFile(text: string, file: string, format: PolicyFileFormat): ParsedPolicyFile<ApprovalRule[]> {
  const parsed = validate(approvalsFileSchema, text, file, format);
  if (!parsed.ok) return parsed;
  const problems: PolicyProblem[] = [];
  const firstIndex = new Map<string, number>();
  const rules = parsed.value.approval_rules.map((r, i): ApprovalRule => {
    const seen = firstIndex.get(r.id);
    if (seen !== undefined) problems.push({ file, field: `approval_rules[${i}].id`, message: `duplicates the id of approval_rules[${seen}], got ${JSON.stringify(r.id)}` });
    else firstIndex.set(r.id, i);
    const paths = (r.paths ?? []).flatMap((g, j) => {
      const n = normaliseGlob(g);
      if ('glob' in n) return [n.glob];
      problems.push({ file, field: `approval_rules[${i}].paths[${j}]`, message: `${n.problem}, got ${JSON.stringify(g)}` });
      return [];
    });
    return { id: r.id, actions: r.actions ?? [], paths, description: r.description.trim() };
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: rules };
}
