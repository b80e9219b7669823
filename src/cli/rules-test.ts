import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadAttackCatalogue, type AttackCatalogue } from '../engine/attack/catalogue.ts';
import { evaluateCorpus } from '../engine/tagging/corpus-evaluation.ts';
import type { CorpusReport } from '../engine/tagging/corpus-report.ts';
import { CorpusError, loadCorpus } from '../engine/tagging/corpus-row.ts';
import { loadRules } from '../engine/tagging/load-rules.ts';
import type { LifterDefinition } from '../plugins/api.ts';
import { loadBundledPlugins } from './bundled-plugins.ts';
import { renderCorpusReport } from './corpus-report-table.ts';
import { PROJECT_ROOT } from './generated-file.ts';
import type { CliIo } from './io.ts';
import { createProgressBar } from './progress-bar.ts';
import { displayDir } from './rules-lint.ts';

/**
 * `gatehouse rules test <corpus.jsonl...>`: measures the rule pack against labelled corpus files
 * (per-rule TP / FP / precision / recall, per-technique recall) and applies the precision gate.
 * Exit codes: 0 the gate passed; 1 the gate failed or the pack has broken files (the measurement
 * would be of a different pack than the server runs); 2 the corpus itself is malformed.
 */
export interface RulesTestOptions {
  dir?: string;
  json?: boolean;
  /** Also write the JSON report here. */
  out?: string;
  /** Run lifter rules with the bundled plugins' lifters (rows are then a stream, in file order). */
  lifters?: boolean;
  pluginsDir?: string;
}

async function evaluate(io: CliIo, files: string[], options: RulesTestOptions, catalogue: AttackCatalogue): Promise<CorpusReport | number> {
  const dir = path.resolve(options.dir ?? path.join(PROJECT_ROOT, 'rules'));
  const pack = await loadRules(dir, catalogue);
  if (pack.errors.length > 0) {
    for (const e of pack.errors) for (const p of e.problems) io.err(`rule ${displayDir(dir)}/${e.path}: ${p}\n`);
    io.err(`${pack.errors.length} rule file${pack.errors.length === 1 ? '' : 's'} failed to load; fix them first (\`gatehouse rules lint\`)\n`);
    return 1;
  }
  let lifters: LifterDefinition<unknown>[] = [];
  let dispose = async () => {};
  if (options.lifters) {
    const plugins = await loadBundledPlugins(options.pluginsDir ?? path.join(PROJECT_ROOT, 'plugins'));
    for (const p of plugins.problems) io.err(`${p}\n`);
    lifters = plugins.lifters;
    dispose = plugins.dispose;
  }
  try {
    const rows = await loadCorpus(files.map((f) => ({ path: path.resolve(f), label: displayDir(path.resolve(f)) })));
    const bar = createProgressBar(rows.length, 'evaluating');
    try {
      return await evaluateCorpus({ rules: pack.rules, rows, lifters, onProgress: (done) => bar?.update(done) });
    } finally {
      bar?.stop();
    }
  } catch (err) {
    if (!(err instanceof CorpusError)) throw err;
    for (const p of err.problems) io.err(`${p}\n`);
    io.err(`the corpus has ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'}\n`);
    return 2;
  } finally {
    await dispose();
  }
}

export async function rulesTest(io: CliIo, files: string[], options: RulesTestOptions): Promise<number> {
  const catalogue = loadAttackCatalogue();
  const report = await evaluate(io, files, options, catalogue);
  if (typeof report === 'number') return report;
  if (options.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else {
    io.out(renderCorpusReport(report, catalogue));
    if (!options.lifters && report.rules.some((r) => r.matchType === 'lifter')) io.out('lifter rules run only with --lifters\n');
  }
  if (options.out) {
    await writeFile(path.resolve(options.out), `${JSON.stringify(report, null, 2)}\n`);
    if (!options.json) io.out(`wrote ${options.out}\n`);
  }
  if (report.gate.passed) return 0;
  io.err(`precision gate failed for ${report.gate.failures.length} rule${report.gate.failures.length === 1 ? '' : 's'}:\n`);
  for (const f of report.gate.failures) io.err(`  ${f.message}\n`);
  return 1;
}
