import { createHash } from 'node:crypto';
import RE2 from 're2';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import type { AttackCatalogue } from '../attack/catalogue.ts';
import type { Rule } from './rule.ts';
import { ruleFileSchema } from './rule-file-schema.ts';

/** A rule file that cannot be loaded; `problems` lists every problem found, not just the first. */
export class RuleFileError extends Error {
  override name = 'RuleFileError';
  constructor(
    readonly path: string,
    readonly problems: string[],
    readonly ruleId: string | null,
  ) {
    super(problems.map((p) => `rule ${path}: ${p}`).join('\n'));
  }
}

function pathLabel(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), root);
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? ` in '${pathLabel(issue.path)}'` : '';
    return `unknown key${issue.keys.length > 1 ? 's' : ''}${where}: ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  }
  const value = valueAt(raw, issue.path);
  const got = value === undefined ? 'nothing' : JSON.stringify(value);
  return `'${pathLabel(issue.path) || '(file)'}' ${issue.message.replace(/^Invalid input: /, '')}, got ${got}`;
}

/** RE2 reports unsupported Perl syntax tersely; say what is not supported and why. */
function describeRe2Failure(pattern: string, err: unknown): string {
  const reason = (err as Error).message;
  const hint = /\(\?[=!<]|\\[1-9]/.test(pattern) ? ' (lookaround and backreferences are not supported: patterns are RE2 so no rule can stall the server)' : '';
  return `'match.pattern' is not a valid RE2 pattern${hint}: ${reason}, got ${JSON.stringify(pattern)}`;
}

/**
 * Turns one rule file's text into a `Rule`, or throws a `RuleFileError` listing every problem: YAML
 * syntax, shape (unknown keys, types), ATT&CK ids against the catalogue (the tactic must be one of the
 * technique's; a sub-technique must belong to its technique) and RE2 compilation.
 */
export function parseRule(text: string, path: string, catalogue: AttackCatalogue): Rule {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    const msg = err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err);
    throw new RuleFileError(path, [`is not valid YAML: ${msg}`], null);
  }
  const ruleId = raw && typeof raw === 'object' && typeof (raw as { rule_id?: unknown }).rule_id === 'string' ? (raw as { rule_id: string }).rule_id : null;
  const parsed = ruleFileSchema.safeParse(raw);
  if (!parsed.success) throw new RuleFileError(path, parsed.error.issues.map((i) => describeIssue(i, raw)), ruleId);
  const file = parsed.data;
  const problems: string[] = [];

  file.emits.forEach((emit, i) => {
    const at = `'emits[${i}]`;
    const technique = catalogue.technique(emit.technique_id);
    if (!technique || technique.parentId !== null) {
      problems.push(`${at}.technique_id' is not an ATT&CK ${catalogue.release} technique, got ${JSON.stringify(emit.technique_id)}`);
      return;
    }
    if (technique.deprecated || technique.revoked) problems.push(`${at}.technique_id' ${emit.technique_id} is ${technique.revoked ? 'revoked' : 'deprecated'} in ATT&CK ${catalogue.release}`);
    if (!catalogue.tactic(emit.tactic)) problems.push(`${at}.tactic' is not an ATT&CK ${catalogue.release} tactic, got ${JSON.stringify(emit.tactic)}`);
    else if (!technique.tactics.includes(emit.tactic)) {
      problems.push(`${at}.tactic' ${emit.tactic} is not a tactic of ${emit.technique_id} (${technique.name}: ${technique.tactics.join(', ')})`);
    }
    if (emit.sub_technique_id !== undefined) {
      const sub = catalogue.technique(emit.sub_technique_id);
      if (!sub) problems.push(`${at}.sub_technique_id' is not an ATT&CK ${catalogue.release} sub-technique, got ${JSON.stringify(emit.sub_technique_id)}`);
      else if (sub.parentId !== emit.technique_id) problems.push(`${at}.sub_technique_id' ${emit.sub_technique_id} does not belong to ${emit.technique_id}`);
    }
  });

  let match: Rule['match'];
  if ('kind' in file.match) {
    const { kind, ...params } = file.match;
    match = { type: 'lifter', kind: kind as string, params };
  } else {
    try {
      new RE2(file.match.pattern, 'u');
    } catch (err) {
      problems.push(describeRe2Failure(file.match.pattern, err));
    }
    match = { type: 'pattern', field: file.match.field, pattern: file.match.pattern };
  }
  if (problems.length > 0) throw new RuleFileError(path, problems, file.rule_id);

  return {
    ruleId: file.rule_id,
    ruleVersion: file.rule_version,
    name: file.name,
    description: file.description.trim(),
    appliesTo: file.applies_to,
    match,
    emits: file.emits.map((e) => ({ tactic: e.tactic, techniqueId: e.technique_id, subTechniqueId: e.sub_technique_id ?? null, confidence: e.confidence })),
    evidenceFields: file.evidence_fields,
    sourcePath: path,
    sha256: createHash('sha256').update(text).digest('hex'),
  };
}
