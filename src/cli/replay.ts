import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../app.ts';
import type { Config } from '../config.ts';
import { loadAttackCatalogue } from '../engine/attack/catalogue.ts';
import { isGatehouseError } from '../engine/errors.ts';
import { isTerminal, type RunRecord } from '../engine/runs/run.ts';
import { parseRunOverrides } from '../engine/runs/run-params.ts';
import type { CliIo } from './io.ts';
import { createProgressBar } from './progress-bar.ts';
import { renderReplayReport } from './replay-report.ts';

export interface ReplayOptions {
  speed?: string;
  json?: boolean;
  minRecall?: string;
  maxFalsePositives?: string;
  preset?: string;
  /** Keep the run in this data directory's store instead of a throw-away in-memory one. */
  store?: string;
}

const POLL_MS = 200;

function usage(io: CliIo, message: string): number {
  io.err(`gatehouse replay: ${message}\n`);
  return 2;
}

/** A scenario id from the scenarios folder, or a YAML file anywhere (its folder becomes the scenarios folder). */
function resolveTarget(target: string, scenariosDir: string): { id: string; dir: string } {
  const looksLikeFile = /\.ya?ml$/i.test(target) || target.includes('/') || target.includes(path.sep);
  if (looksLikeFile && existsSync(target)) return { id: path.basename(target).replace(/\.ya?ml$/i, ''), dir: path.dirname(path.resolve(target)) };
  return { id: target, dir: scenariosDir };
}

/**
 * `gatehouse replay <scenario-id-or-file>` (issue #5 §11): replays a scenario headless — the whole
 * server in-process without listening beyond loopback port 0, on a throw-away in-memory store unless
 * `--store` names a data directory — with a progress bar, then prints the metrics tables. Thresholds
 * make it a CI gate: exit 1 when the run did not complete or a threshold is missed, 2 on bad usage.
 */
export async function replay(base: Config, io: CliIo, target: string, options: ReplayOptions): Promise<number> {
  const minRecall = options.minRecall === undefined ? null : Number(options.minRecall);
  if (minRecall !== null && !(minRecall >= 0 && minRecall <= 1)) return usage(io, `--min-recall must be a number from 0 to 1, got ${JSON.stringify(options.minRecall)}`);
  const maxFp = options.maxFalsePositives === undefined ? null : Number(options.maxFalsePositives);
  if (maxFp !== null && !(Number.isInteger(maxFp) && maxFp >= 0)) return usage(io, `--max-false-positives must be a whole number of 0 or more, got ${JSON.stringify(options.maxFalsePositives)}`);
  let overrides;
  try {
    overrides = parseRunOverrides({ ...(options.speed !== undefined ? { speed: options.speed } : {}), ...(options.preset !== undefined ? { governancePreset: options.preset } : {}) }, '--');
  } catch (err) {
    return usage(io, (err as Error).message.replace('--.speed', '--speed').replace('--.governancePreset', '--preset'));
  }

  const { id, dir } = resolveTarget(target, base.scenariosDir);
  const scratch = options.store ? null : await mkdtemp(path.join(tmpdir(), 'gatehouse-replay-'));
  const config: Config = {
    ...base,
    host: '127.0.0.1',
    port: 0,
    scenariosDir: dir,
    watchRules: false,
    graphiql: false,
    logLevel: base.logLevel === 'info' ? 'error' : base.logLevel,
    dataDir: scratch ?? path.resolve(options.store as string),
    ...(scratch ? { databaseUrl: ':memory:' } : {}),
  };
  const app = createApp(config);
  try {
    await app.start();
    const { runs, scenarios } = app.operator();
    const scenario = scenarios.get(id);
    if (!scenario) {
      const errors = scenarios.errors().filter((e) => e.scenarioId === id || e.path.replace(/\.ya?ml$/i, '') === id);
      for (const e of errors) io.err(`${path.join(dir, e.path)}: ${e.problems.join('\n  ')}\n`);
      if (errors.length === 0) io.err(`no scenario ${JSON.stringify(id)} in ${dir}; known: ${scenarios.list().map((s) => s.id).join(', ') || 'none'}\n`);
      return 2;
    }
    let run: RunRecord = (await runs.start({ scenarioId: id, overrides, idempotencyKey: null }, 'cli replay')).run;
    const bar = createProgressBar(run.progress.eventsTotal, `replay ${id}`);
    try {
      while (!isTerminal(run.state)) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        run = (await runs.get(run.runId)) ?? run;
        bar?.update(run.progress.eventsCompleted);
      }
    } finally {
      bar?.stop();
    }
    io.out(options.json ? `${JSON.stringify(run, null, 2)}\n` : renderReplayReport(run, loadAttackCatalogue()));
    return gate(io, run, minRecall, maxFp);
  } catch (err) {
    if (isGatehouseError(err)) return usage(io, err.message);
    throw err;
  } finally {
    await app.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

function gate(io: CliIo, run: RunRecord, minRecall: number | null, maxFp: number | null): number {
  const failures: string[] = [];
  if (run.state !== 'COMPLETED') failures.push(`the run ended ${run.state}${run.message ? `: ${run.message}` : ''}`);
  const overall = run.metrics?.overall ?? null;
  if (minRecall !== null) {
    if (overall?.recall === null || overall === null) failures.push(`--min-recall ${minRecall}: recall is undefined (no labelled technique in the scenario, or metrics off)`);
    else if (overall.recall < minRecall) failures.push(`recall ${overall.recall.toFixed(3)} is below --min-recall ${minRecall}`);
  }
  if (maxFp !== null) {
    const fp = overall?.falsePositives ?? null;
    if (fp === null) failures.push(`--max-false-positives ${maxFp}: metrics are off for this run`);
    else if (fp > maxFp) failures.push(`${fp} false positives exceed --max-false-positives ${maxFp}`);
  }
  for (const f of failures) io.err(`gate failed: ${f}\n`);
  return failures.length > 0 ? 1 : 0;
}
