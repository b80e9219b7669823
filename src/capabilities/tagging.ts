import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { loadAttackCatalogue } from '../engine/attack/catalogue.ts';
import type { DashboardRegistry } from '../engine/dashboard/dashboard.ts';
import type { EventBus } from '../engine/events/event-bus.ts';
import { createIdempotencyCache } from '../engine/idempotency.ts';
import type { Redis } from 'ioredis';
import { createRedisIdempotencyCache } from '../server/redis-idempotency.ts';
import type { ReadinessRegistry } from '../engine/readiness/readiness-registry.ts';
import { createRuleRegistry } from '../engine/tagging/rule-registry.ts';
import { createRuleStateService, type RuleStateChange } from '../engine/tagging/rule-state-service.ts';
import { watchRules } from '../engine/tagging/rule-watcher.ts';
import { BUILT_IN_SOURCE_KINDS } from '../engine/tagging/source-kinds.ts';
import { createTaggingService, type TaggingService } from '../engine/tagging/tagging-service.ts';
import { createRunTagStore } from '../engine/runs/run-tag-store.ts';
import type { RunWriter } from '../engine/runs/run-writer.ts';
import type { Database } from '../persistence/database.ts';
import { createRuleStateRepository } from '../persistence/repositories/rule-state-repository.ts';
import { createTagRepository } from '../persistence/repositories/tag-repository.ts';
import type { PluginRegistry } from '../plugins/plugin-registry.ts';
import type { Topics } from '../resolvers/context.ts';
import { rulesProbe, taggerProbe } from './tagging-probes.ts';
import { taggingDashboard } from './tagging-dashboard.ts';

/**
 * Composes the tagging capability (issue #3): catalogue, rule state, the rule pack with hot reload,
 * lifters from the plugin host, the tagging service on the store, probes and dashboard. Returns what
 * the GraphQL context needs and a `stop`.
 */
export async function startTagging(deps: {
  config: Config;
  db: Database;
  bus: EventBus<Topics>;
  log: Logger;
  readiness: ReadinessRegistry;
  dashboard: DashboardRegistry;
  plugins: PluginRegistry;
  /** The current governance's confidence floor (issue #5 §8). */
  confidenceFloor: () => number;
  /** Scale-out (issue #6 §5): idempotency keys shared through Redis. */
  shared?: { redis: Redis; keyPrefix: string };
}) {
  const { config, db, bus, log } = deps;
  const catalogue = loadAttackCatalogue();
  const ruleStateListeners: ((change: RuleStateChange) => void)[] = [];
  const ruleStates = createRuleStateService({
    store: createRuleStateRepository(() => db.fork()),
    publish: (change) => {
      bus.publish('ruleStateChanged', change);
      for (const listener of ruleStateListeners) listener(change);
    },
  });
  await ruleStates.load();
  const lifterLog = log.child({ component: 'lifters' });
  const rules = createRuleRegistry({
    rulesDir: config.rulesDir,
    catalogue,
    lifters: () => deps.plugins.lifters(),
    states: ruleStates,
    confidenceFloor: deps.confidenceFloor,
    onLifterFailure: (lifterId, failure, message, event) =>
      lifterLog.warn({ lifterId, failure, sourceKind: event.sourceKind, sourceId: event.sourceId }, `lifter ${lifterId} yielded nothing: ${message}`),
  });
  const reloadRules = async () => {
    const report = await rules.reload();
    for (const e of report.errors) log.warn({ path: e.path, problems: e.problems }, 'rule file failed to load');
    for (const p of report.problems) log.warn({ ruleId: p.ruleId }, p.message);
    await deps.readiness.refresh().then(({ readiness, changed }) => changed && bus.publish('readinessChanged', readiness));
    return report;
  };
  const initial = await rules.reload();
  log.info({ rules: initial.loaded, errors: initial.errors.length, problems: initial.problems.length, dir: config.rulesDir }, 'rules loaded');

  const kinds = new Map([...BUILT_IN_SOURCE_KINDS, ...deps.plugins.sourceKinds()].map((k) => [k.kind, k]));
  const tagging = createTaggingService({
    store: createTagRepository(() => db.fork()),
    engine: () => rules.engine(),
    kinds: () => kinds,
    publish: (message) => bus.publish('ttpTagged', message),
  });

  deps.readiness.register(rulesProbe(rules));
  deps.readiness.register(taggerProbe(rules));
  deps.dashboard.register(taggingDashboard(() => createTagRepository(() => db.fork()), rules, ruleStates));

  const stopWatching = config.watchRules
    ? watchRules(config.rulesDir, () => void reloadRules().catch((err) => log.error({ err }, 'rule reload failed')), {
        onError: (err) => log.warn({ err }, 'cannot watch the rules directory; use reloadRules'),
      })
    : () => {};

  return {
    shared: { catalogue, rules, ruleStates, reloadRules, tagging, idempotency: deps.shared ? createRedisIdempotencyCache({ redis: deps.shared.redis, keyPrefix: deps.shared.keyPrefix, onError: (err, context) => log.error({ err }, context) }) : createIdempotencyCache() },
    perRequest: (em: () => ReturnType<Database['fork']>) => ({ tagStore: createTagRepository(em) }),
    /**
     * A replay run's own tagging service (issue #5 §4): the same source kinds, commits to the run's
     * tag store, which hands the rows to the run's writer; nothing is published.
     */
    runTagging(run: { runId: string; writer: RunWriter }): TaggingService {
      return createTaggingService({
        store: createRunTagStore({ runId: run.runId, writer: run.writer, reads: createTagRepository(() => db.fork()) }),
        engine: () => rules.engine(),
        kinds: () => kinds,
        publish: () => {},
      });
    },
    /** In-process listeners for rule state changes (the gateway audits them); not bus subscribers. */
    onRuleStateChange(listener: (change: RuleStateChange) => void) {
      ruleStateListeners.push(listener);
    },
    stop() {
      stopWatching();
      ruleStates.dispose();
    },
  };
}
