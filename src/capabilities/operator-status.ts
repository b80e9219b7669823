import type { DashboardProvider } from '../engine/dashboard/dashboard.ts';
import type { ReadinessProbe } from '../engine/readiness/readiness.ts';
import { RUN_STATES, type RunState } from '../engine/runs/run.ts';
import type { RunManager } from '../engine/runs/run-manager.ts';
import type { RunStore } from '../engine/runs/run-store.ts';
import type { ScenarioRegistry } from '../engine/scenarios/scenario-registry.ts';

/** `scenarios`: DEGRADED while a scenario or presets file fails to load (the last good version stays). */
export function scenariosProbe(scenarios: ScenarioRegistry): ReadinessProbe {
  return {
    name: 'scenarios',
    critical: false,
    check() {
      const hints = scenarios.errors().map((e) => ({ code: 'scenario_file_invalid', severity: 'WARNING' as const, message: `scenarios/${e.path}: ${e.problems.join('; ')}` }));
      if (hints.length > 0) return { status: 'DEGRADED', reason: `${hints.length} scenario file${hints.length === 1 ? '' : 's'} failed to load`, hints };
      return scenarios.list().length === 0 ? { status: 'UP', reason: 'no scenarios are loaded' } : { status: 'UP' };
    },
  };
}

/** `runs`: always UP (a faulted run is a result, not an outage); the reason gives running, queued, completed and faulted counts. */
export function runsProbe(runs: RunManager, counts: () => Promise<Record<RunState, number>>): ReadinessProbe {
  return {
    name: 'runs',
    critical: false,
    async check() {
      const active = runs.active();
      const byState = await counts();
      const running = active.filter((r) => r.state === 'RUNNING' || r.state === 'PAUSED').length;
      const queued = active.filter((r) => r.state === 'QUEUED').length;
      return { status: 'UP', reason: `${running} running, ${queued} queued, ${byState.COMPLETED} completed, ${byState.FAULT} faulted` };
    },
  };
}

/** Dashboard: runs by state and scenarios loaded; recent runs. */
export function operatorDashboard(deps: { store: RunStore; scenarios: ScenarioRegistry }): DashboardProvider {
  return {
    name: 'operator',
    async load({ recentLimit }) {
      const [byState, recent] = await Promise.all([deps.store.countByState(), deps.store.list({}, 'CREATED_DESC', null, recentLimit)]);
      const total = RUN_STATES.reduce((s, k) => s + byState[k], 0);
      const scenarios = deps.scenarios.list();
      return {
        counts: [
          { key: 'runsByState', label: 'Runs by state', value: total, breakdown: RUN_STATES.map((key) => ({ key, value: byState[key] })) },
          { key: 'scenarios', label: 'Scenarios loaded', value: scenarios.length, breakdown: [{ key: 'failed', value: deps.scenarios.errors().length }] },
        ],
        recent: recent.map((r) => ({ kind: 'run', id: r.runId, title: `${r.scenarioName}: ${r.state.toLowerCase()}`, at: r.endedAt ?? r.startedAt ?? r.createdAt })),
      };
    },
  };
}
