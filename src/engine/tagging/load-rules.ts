import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AttackCatalogue } from '../attack/catalogue.ts';
import { parseRule, RuleFileError } from './parse-rule.ts';
import type { Rule } from './rule.ts';

export interface RuleLoadError {
  /** Path relative to the rules directory. */
  path: string;
  ruleId: string | null;
  problems: string[];
}

export interface RulePack {
  rules: Rule[];
  errors: RuleLoadError[];
}

async function yamlFiles(root: string, dir = ''): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' && dir === '') return [];
    throw err;
  });
  const files = await Promise.all(
    entries
      .filter((e) => !e.name.startsWith('.') && !e.name.startsWith('_'))
      .map(async (e) => {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) return yamlFiles(root, rel);
        return /\.ya?ml$/.test(e.name) ? [rel] : [];
      }),
  );
  return files.flat().sort();
}

/**
 * Loads every `*.yaml` under `root` (sorted, recursively; `.`/`_`-prefixed entries skipped). A file
 * that fails is reported with all its problems and left out; a rule id defined twice keeps the first
 * file (in path order) and reports the second, naming both.
 */
export async function loadRules(root: string, catalogue: AttackCatalogue): Promise<RulePack> {
  const rules: Rule[] = [];
  const errors: RuleLoadError[] = [];
  const seen = new Map<string, string>();
  for (const rel of await yamlFiles(root)) {
    const display = rel.split(path.sep).join('/');
    try {
      const rule = parseRule(await readFile(path.join(root, rel), 'utf8'), display, catalogue);
      const first = seen.get(rule.ruleId);
      if (first) {
        errors.push({ path: display, ruleId: rule.ruleId, problems: [`rule_id ${rule.ruleId} is already defined by ${first}`] });
        continue;
      }
      seen.set(rule.ruleId, display);
      rules.push(rule);
    } catch (err) {
      if (err instanceof RuleFileError) errors.push({ path: display, ruleId: err.ruleId, problems: err.problems });
      else errors.push({ path: display, ruleId: null, problems: [`could not be read: ${(err as Error).message}`] });
    }
  }
  return { rules, errors };
}
