import path from 'node:path';
import { loadAttackCatalogue, type AttackCatalogue } from '../engine/attack/catalogue.ts';
import { loadRules } from '../engine/tagging/load-rules.ts';
import type { Rule } from '../engine/tagging/rule.ts';
import { createRuleEngine } from '../engine/tagging/rule-engine.ts';
import { BUILT_IN_SOURCE_KINDS } from '../engine/tagging/source-kinds.ts';
import { loadBundledPlugins, type BundledPlugins } from './bundled-plugins.ts';
import { PROJECT_ROOT } from './generated-file.ts';
import type { CliIo } from './io.ts';

/**
 * `gatehouse rules lint`: everything that would stop a rule from loading or running, reported all at
 * once, before the server ever sees the pack. Load errors (YAML, schema, ATT&CK ids, RE2 compilation,
 * duplicate ids) come from the loader the server uses; on top of that it checks what only the whole
 * installation can tell: every lifter rule has an owner among the bundled plugins, which accepts its
 * parameters and sees a kind the rule applies to, and every `applies_to` kind exists.
 */
export interface RulesLintOptions {
  dir?: string;
  json?: boolean;
  /** Where the bundled plugins live (default `<project root>/plugins`). */
  pluginsDir?: string;
}

interface Problem {
  path: string;
  ruleId: string | null;
  message: string;
}

/** A folder as the user would type it from here: relative to the working directory when inside it. */
export function displayDir(dir: string): string {
  const rel = path.relative(process.cwd(), dir);
  return (rel === '' ? '.' : rel.startsWith('..') ? dir : rel).split(path.sep).join('/');
}

function ownershipProblems(rules: readonly Rule[], plugins: BundledPlugins): Omit<Problem, 'path'>[] {
  const problems: Omit<Problem, 'path'>[] = [];
  const knownKinds = new Set([...BUILT_IN_SOURCE_KINDS.map((k) => k.kind), ...plugins.sourceKinds]);
  const owned = new Map(plugins.lifters.flatMap((l) => l.owns.map((kind) => [kind, l] as const)));
  const runnable: Rule[] = [];
  for (const rule of rules) {
    const unknown = rule.appliesTo.filter((k) => !knownKinds.has(k));
    if (unknown.length > 0) problems.push({ ruleId: rule.ruleId, message: `'applies_to' names unknown source kind${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${[...knownKinds].sort().join(', ')})` });
    if (rule.match.type !== 'lifter') continue;
    const lifter = owned.get(rule.match.kind);
    if (!lifter) {
      const kinds = [...owned.keys()].sort();
      problems.push({ ruleId: rule.ruleId, message: `'match.kind' ${rule.match.kind} has no owner: no bundled plugin's lifter owns it (owned kinds: ${kinds.join(', ') || 'none'})` });
      continue;
    }
    if (!rule.appliesTo.some((k) => lifter.handles.includes(k))) {
      problems.push({ ruleId: rule.ruleId, message: `'applies_to' has no source kind its lifter ${lifter.id} handles (${lifter.handles.join(', ')}), so it never runs` });
    }
    runnable.push(rule);
  }
  // The engine is what asks each owning lifter to accept its rules' parameters: build one and keep
  // what it refuses, so lint and the server agree on what runs.
  const engine = createRuleEngine({ rules: runnable, lifters: plugins.lifters, states: { effective: () => ({ state: 'enabled', confidenceMax: null }) }, confidenceFloor: () => 0 });
  problems.push(...engine.problems.map((p) => ({ ruleId: p.ruleId, message: p.message })));
  return problems;
}

function summarise(rules: readonly Rule[], catalogue: AttackCatalogue) {
  const bySourceKind: Record<string, number> = {};
  for (const kind of [...new Set(rules.flatMap((r) => r.appliesTo))].sort()) bySourceKind[kind] = rules.filter((r) => r.appliesTo.includes(kind)).length;
  const emits = rules.flatMap((r) => r.emits);
  const tactics = [...new Set(emits.map((e) => e.tactic))].map((id) => catalogue.tactic(id)).filter((t) => t !== undefined);
  return {
    rules: rules.length,
    patternRules: rules.filter((r) => r.match.type === 'pattern').length,
    lifterRules: rules.filter((r) => r.match.type === 'lifter').length,
    bySourceKind,
    techniques: [...new Set(emits.map((e) => e.techniqueId))].sort(),
    subTechniques: [...new Set(emits.flatMap((e) => (e.subTechniqueId ? [e.subTechniqueId] : [])))].sort(),
    tactics: tactics.sort((a, b) => a.order - b.order).map((t) => ({ id: t.id, name: t.name })),
  };
}

export async function rulesLint(io: CliIo, options: RulesLintOptions): Promise<number> {
  const dir = path.resolve(options.dir ?? path.join(PROJECT_ROOT, 'rules'));
  const shown = displayDir(dir);
  const catalogue = loadAttackCatalogue();
  const pack = await loadRules(dir, catalogue);
  const plugins = await loadBundledPlugins(options.pluginsDir ?? path.join(PROJECT_ROOT, 'plugins'));
  await plugins.dispose(); // lint reads definitions only; nothing of theirs runs afterwards
  const fileOf = new Map(pack.rules.map((r) => [r.ruleId, `${shown}/${r.sourcePath}`]));
  const problems: Problem[] = [
    ...pack.errors.flatMap((e) => e.problems.map((message) => ({ path: `${shown}/${e.path}`, ruleId: e.ruleId, message }))),
    ...ownershipProblems(pack.rules, plugins).map((p) => ({ ...p, path: fileOf.get(p.ruleId ?? '') ?? shown })),
  ].sort((a, b) => a.path.localeCompare(b.path, 'en')); // stable: a file's problems stay in the order found
  const summary = summarise(pack.rules, catalogue);

  if (options.json) {
    io.out(`${JSON.stringify({ ok: problems.length === 0 && plugins.problems.length === 0, dir: shown, problems, pluginProblems: plugins.problems, summary }, null, 2)}\n`);
  } else {
    for (const p of problems) io.err(`rule ${p.path}: ${p.message}\n`);
    for (const p of plugins.problems) io.err(`${p}\n`);
    const files = new Set(problems.map((p) => p.path)).size;
    const count = problems.length + plugins.problems.length;
    if (count > 0) io.err(`${count} problem${count === 1 ? '' : 's'}${files > 0 ? ` in ${files} rule file${files === 1 ? '' : 's'}` : ''}\n`);
    else {
      const kinds = Object.entries(summary.bySourceKind).map(([kind, n]) => `  ${kind.padEnd(14)} ${n}`);
      io.out(
        [
          `${shown}: ${summary.rules} rules (${summary.patternRules} pattern, ${summary.lifterRules} lifter), no problems`,
          'rules per source kind:',
          ...kinds,
          `techniques: ${summary.techniques.length} distinct (plus ${summary.subTechniques.length} sub-techniques)`,
          `tactics: ${summary.tactics.length} (${summary.tactics.map((t) => `${t.id} ${t.name}`).join(', ')})`,
          '',
        ].join('\n'),
      );
    }
  }
  return problems.length + plugins.problems.length > 0 ? 1 : 0;
}
