import { mkdir } from 'node:fs/promises';
import pino from 'pino';
import type { Config } from '../config.ts';
import { loadAttackCatalogue } from '../engine/attack/catalogue.ts';
import { createRuleRegistry } from '../engine/tagging/rule-registry.ts';
import { createRuleStateService } from '../engine/tagging/rule-state-service.ts';
import { BUILT_IN_SOURCE_KINDS } from '../engine/tagging/source-kinds.ts';
import { createTaggingService } from '../engine/tagging/tagging-service.ts';
import { createDatabase } from '../persistence/database.ts';
import { createRuleStateRepository } from '../persistence/repositories/rule-state-repository.ts';
import { createTagRepository } from '../persistence/repositories/tag-repository.ts';
import { loadPlugins } from '../plugins/load-plugins.ts';
import type { CliIo } from './io.ts';
import { createProgressBar } from './progress-bar.ts';

export interface BackfillOptions {
  sinceDays: string;
  sourceKind?: string;
  dryRun?: boolean;
  batchSize?: string;
  json?: boolean;
}

/**
 * `gatehouse backfill`: re-tags stored live events with the current rules and rule states (DESIGN §6).
 * Idempotent — tags that exist are left alone — and it never publishes: subscribers see only what
 * live ingest produces. `--dry-run` counts the tags it would add without writing them.
 */
export async function backfill(config: Config, io: CliIo, options: BackfillOptions): Promise<number> {
  const sinceDays = Number(options.sinceDays);
  const batchSize = Number(options.batchSize ?? 1000);
  if (!(sinceDays > 0)) return fail(io, `--since-days must be a positive number, got ${JSON.stringify(options.sinceDays)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) return fail(io, `--batch-size must be an integer from 1 to 10000, got ${JSON.stringify(options.batchSize)}`);
  const sourceKind = options.sourceKind ?? null;
  if (sourceKind !== null && !BUILT_IN_SOURCE_KINDS.some((k) => k.kind === sourceKind)) {
    io.err(`note: --source-kind ${sourceKind} is not a built-in kind; continuing in case a plugin stored it\n`);
  }

  await mkdir(config.dataDir, { recursive: true });
  const db = await createDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const log = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const plugins = await loadPlugins({ pluginDirs: config.pluginDirs, packages: config.pluginPackages, strict: config.strictPlugins, log });
  try {
    await db.migrate();
    const store = createTagRepository(() => db.fork());
    const states = createRuleStateService({ store: createRuleStateRepository(() => db.fork()), publish: () => {} });
    await states.load();
    const rules = createRuleRegistry({ rulesDir: config.rulesDir, catalogue: loadAttackCatalogue(), lifters: () => plugins.lifters(), states, confidenceFloor: () => config.confidenceFloor });
    const report = await rules.reload();
    for (const e of report.errors) io.err(`rule ${e.path}: ${e.problems.join('; ')} (skipped)\n`);
    const tagging = createTaggingService({ store, engine: () => rules.engine(), kinds: () => new Map(), publish: () => {} });

    const since = new Date(Date.now() - sinceDays * 86_400_000);
    const total = await store.countEventsSince(since, sourceKind);
    const bar = createProgressBar(total, options.dryRun ? 'backfill (dry run)' : 'backfill');
    const started = Date.now();
    let scanned = 0;
    let tagsFound = 0;
    let newTags = 0;
    let afterKey = 0;
    try {
      for (;;) {
        const page = await store.eventsSince(since, sourceKind, afterKey, batchSize);
        if (page.length === 0) break;
        afterKey = page.at(-1)?.key ?? afterKey;
        const events = page.map((p) => p.event);
        if (options.dryRun) {
          const engine = rules.engine();
          const found = (await Promise.all(events.map((e) => engine.evaluate(e)))).flat();
          const existing = new Set((await store.tagsByIds(found.map((t) => t.id))).map((t) => t.id));
          tagsFound += found.length;
          newTags += found.filter((t) => !existing.has(t.id)).length;
        } else {
          const result = await tagging.retag(events);
          newTags += result.newTags;
        }
        scanned += events.length;
        bar?.update(scanned);
      }
    } finally {
      bar?.stop();
      states.dispose();
    }
    const summary = {
      dryRun: Boolean(options.dryRun),
      since: since.toISOString(),
      sourceKind,
      eventsScanned: scanned,
      ...(options.dryRun ? { tagsFound, tagsThatWouldBeAdded: newTags } : { tagsAdded: newTags }),
      rules: report.loaded,
      seconds: Number(((Date.now() - started) / 1000).toFixed(2)),
    };
    if (options.json) io.out(`${JSON.stringify(summary)}\n`);
    else {
      const verb = options.dryRun ? 'would add' : 'added';
      io.out(`backfill${options.dryRun ? ' (dry run)' : ''}: scanned ${scanned} event${scanned === 1 ? '' : 's'} since ${summary.since}${sourceKind ? ` of kind ${sourceKind}` : ''} with ${report.loaded} rules; ${verb} ${newTags} tag${newTags === 1 ? '' : 's'} in ${summary.seconds} s (nothing published)\n`);
    }
    return 0;
  } finally {
    await plugins.dispose();
    await db.close();
  }
}

function fail(io: CliIo, message: string): number {
  io.err(`${message}\n`);
  return 2;
}
