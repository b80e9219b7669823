import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { AttackCatalogue } from '../engine/attack/catalogue.ts';
import type { DashboardRegistry } from '../engine/dashboard/dashboard.ts';
import type { EventBus } from '../engine/events/event-bus.ts';
import type { GovernanceService } from '../engine/governance/governance-service.ts';
import type { ReadinessRegistry } from '../engine/readiness/readiness-registry.ts';
import { createRunManager, type RunCommand } from '../engine/runs/run-manager.ts';
import { createScenarioRegistry } from '../engine/scenarios/scenario-registry.ts';
import type { ScenarioOverlay } from '../engine/scenarios/scenario.ts';
import type { EffectiveRuleState } from '../engine/tagging/rule-state.ts';
import type { Database } from '../persistence/database.ts';
import { createOperatorSettingsRepository } from '../persistence/repositories/operator-settings-repository.ts';
import { createRunRepository } from '../persistence/repositories/run-repository.ts';
import type { PluginRegistry } from '../plugins/plugin-registry.ts';
import type { Topics } from '../resolvers/context.ts';
import type { startGateway } from './gateway.ts';
import { operatorDashboard, runsProbe, scenariosProbe } from './operator-status.ts';
import { createRunExportWriter } from './run-export-writer.ts';
import { openRunSession } from './run-session.ts';
import { ATTACK_RELEASE } from '../engine/attack/catalogue.ts';
import { conflict, GatehouseError } from '../engine/errors.ts';
import { isTerminal } from '../engine/runs/run.ts';
import { buildRunExport } from '../engine/runs/run-export.ts';
import { renderResolvedScenario } from '../engine/scenarios/render-scenario.ts';
import type { RunExportLink } from '../resolvers/operator/operator-context.ts';
import type { startTagging } from './tagging.ts';

/**
 * Composes the operator service (issue #5): the scenario registry with its database overlays and hot
 * reload, the run manager (queue, executor, recovery, retention) replaying through per-run sessions,
 * the export writer, probes and dashboard.
 */
const EXPORT_PAGE = 1000;

export async function startOperator(deps: {
  config: Config;
  db: Database;
  bus: EventBus<Topics>;
  log: Logger;
  readiness: ReadinessRegistry;
  dashboard: DashboardRegistry;
  plugins: PluginRegistry;
  catalogue: AttackCatalogue;
  governance: GovernanceService;
  tagging: Awaited<ReturnType<typeof startTagging>>;
  gateway: Awaited<ReturnType<typeof startGateway>>;
  versions: { gatehouse: string; apiVersion: string };
  /** This instance's id: the owner of the runs it executes. */
  instance: string;
  /** Scale-out: lease runs and relay commands to their owners over the bus (issue #6 §4). */
  clustered: boolean;
}) {
  const { config, db, bus } = deps;
  const log = deps.log.child({ component: 'operator' });
  const settings = createOperatorSettingsRepository(() => db.fork());
  let overlays = await settings.overlays();
  const scenarios = createScenarioRegistry({
    dir: config.scenariosDir,
    catalogue: deps.catalogue,
    overlay: (id) => overlays.get(id),
    onReload: (result) => {
      for (const e of result.errors) log.warn({ path: e.path, problems: e.problems }, 'scenario file failed to load');
      void deps.readiness
        .refresh()
        .then(({ readiness, changed }) => changed && bus.publish('readinessChanged', readiness))
        .catch((err) => log.error({ err }, 'readiness refresh failed'));
    },
    onError: (err) => log.warn({ err }, 'scenario reload failed'),
  });
  const initial = await scenarios.reload();
  log.info({ scenarios: initial.loaded, errors: initial.errors.length, dir: config.scenariosDir }, 'scenarios loaded');
  const stopWatching = config.watchRules ? scenarios.watch() : () => {};

  const { rules, ruleStates } = deps.tagging.shared;
  const { policyView } = deps.gateway.shared;
  const hashes = () => ({ policyHash: policyView.current()?.hash ?? null, rulePackHash: rules.packHash() });
  const store = createRunRepository(() => db.fork());
  const relayAbort = new AbortController();
  const { instance } = deps;
  const runs = createRunManager({
    store,
    scenario: (id) => scenarios.get(id),
    governance: deps.governance,
    hashes,
    ruleEmits: () => new Map(rules.entries().map((e) => [e.rule.ruleId, e.rule.emits.map((m) => ({ techniqueId: m.techniqueId, subTechniqueId: m.subTechniqueId }))])),
    lifterRules: () => rules.entries().filter((e) => e.owner !== null && e.owner !== 'engine').length,
    ruleStates: () =>
      rules.entries().flatMap((e) => {
        const effective = ruleStates.effective(e.rule.ruleId);
        return effective.state === 'enabled' ? [] : [{ ruleId: e.rule.ruleId, state: effective.state, confidenceMax: effective.confidenceMax }];
      }),
    async openSession(run, _scenario, writer) {
      const running = rules.entries().filter((e) => e.problem === null);
      // Rule states come from the snapshot: a rule disabled mid-run still runs in it, and vice versa.
      const frozen = new Map<string, EffectiveRuleState>((run.snapshot?.ruleStates ?? []).map((r) => [r.ruleId, { state: r.state, confidenceMax: r.confidenceMax }]));
      return openRunSession({
        run,
        rules: running.map((e) => e.rule),
        ruleStates: frozen,
        lifters: deps.plugins.lifters(),
        policy: policyView.current(),
        tagging: deps.tagging.runTagging({ runId: run.runId, writer }),
        createRunGateway: deps.gateway.createRunGateway,
        onLifterFailure: (lifterId, message) => log.debug({ runId: run.runId, lifterId }, message),
      });
    },
    publishProgress: (message) => bus.publish('runProgress', message),
    publishLog: (entry) => bus.publish('runLogs', entry),
    maxConcurrentRuns: config.maxConcurrentRuns,
    retainDetail: config.runRetention,
    instance,
    onError: (err, context) => log.error({ err }, context),
    ...(deps.clustered
      ? {
          lease: { ms: config.runLeaseSeconds * 1000 },
          relay: {
            send: (command: RunCommand) => bus.publish('runCommand', command),
            listen(handler: (command: RunCommand) => void) {
              void (async () => {
                for await (const command of bus.subscribe('runCommand', { signal: relayAbort.signal })) handler(command);
              })();
            },
          },
        }
      : {}),
  });
  const recovered = await runs.recover();
  if (recovered.interrupted.length > 0) log.warn({ runs: recovered.interrupted }, 'runs were in progress when the server stopped; marked FAULT (interrupted)');
  if (recovered.requeued.length > 0) log.info({ runs: recovered.requeued }, 'queued runs resume');

  deps.readiness.register(scenariosProbe(scenarios));
  deps.readiness.register(runsProbe(runs, () => store.countByState()));
  deps.dashboard.register(operatorDashboard({ store, scenarios }));

  /** The scenario the operator picked for the dashboard's `state` (persisted, survives restarts). */
  let activeScenario = ((await settings.get('activeScenario')) as string | null | undefined) ?? null;

  const exportsDir = path.join(config.dataDir, 'exports');
  const writer = createRunExportWriter({ dir: exportsDir });
  async function* paged<T>(read: (after: number) => Promise<T[]>, keyOf: (row: T) => number) {
    for (let after = -1; ; ) {
      const rows = await read(after);
      yield* rows;
      if (rows.length < EXPORT_PAGE) return;
      after = keyOf(rows[rows.length - 1] as T);
    }
  }
  /** Builds and stores a run's export bundle (issue #5 §10); only an ended run can be exported. */
  const exportRun = async (runId: string): Promise<RunExportLink> => {
    const run = await runs.get(runId);
    if (!run) throw new GatehouseError('NOT_FOUND', `no run ${JSON.stringify(runId)}`, { type: 'Run', id: runId });
    if (!isTerminal(run.state)) throw conflict('run_not_ended', `run ${runId} is ${run.state}; export it once it has ended`);
    const scenario = scenarios.get(run.scenarioId);
    const note = !scenario ? `# scenario ${run.scenarioId} is no longer loaded; only its hash is known (${run.snapshot?.scenarioHash ?? 'none'})\n` : scenario.hash !== run.snapshot?.scenarioHash ? `# the scenario changed after this run (run: ${run.snapshot?.scenarioHash ?? 'none'}, now: ${scenario.hash}); this is the current version\n` : '';
    const { files } = await buildRunExport({
      run,
      steps: paged((after) => store.steps(runId, after, EXPORT_PAGE), (s) => s.index),
      logs: paged((after) => store.logs(runId, {}, Math.max(0, after), EXPORT_PAGE), (e) => e.seq),
      scenarioYaml: note + (scenario ? renderResolvedScenario(scenario) : ''),
      catalogue: deps.catalogue,
      versions: { ...deps.versions, attackRelease: ATTACK_RELEASE },
      now: new Date(),
    });
    const written = await writer.write(runId, files);
    return { exportId: written.exportId, url: `/exports/${written.exportId}`, sha256: written.sha256, sizeBytes: written.sizeBytes };
  };

  return {
    exportPath: (exportId: string) => writer.path(exportId),
    shared: {
      exportRun,
      scenarios,
      runs,
      runStore: store,
      governance: deps.governance,
      operatorState: {
        activeScenario: () => activeScenario,
        async activate(id: string | null) {
          await settings.put('activeScenario', id);
          activeScenario = id;
        },
        async overlay(id: string, overlay: ScenarioOverlay | null, by: string | null) {
          if (overlay) await settings.putOverlay(id, overlay, by);
          else await settings.removeOverlay(id);
          overlays = await settings.overlays();
          scenarios.refreshOverlay(id);
        },
        storedOverlay: (id: string) => overlays.get(id),
      },
    },
    async stop() {
      stopWatching();
      relayAbort.abort();
      await runs.dispose();
    },
  };
}
