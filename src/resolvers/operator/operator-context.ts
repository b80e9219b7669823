import type { GovernanceService } from '../../engine/governance/governance-service.ts';
import type { RunManager } from '../../engine/runs/run-manager.ts';
import type { RunStore } from '../../engine/runs/run-store.ts';
import type { ScenarioRegistry } from '../../engine/scenarios/scenario-registry.ts';
import type { ScenarioOverlay } from '../../engine/scenarios/scenario.ts';

/** The operator state that outlives a request: the scenario picked for the dashboard, and overlays. */
export interface OperatorState {
  activeScenario(): string | null;
  activate(scenarioId: string | null): Promise<void>;
  /** Stores (or with null removes) a scenario's overlay and re-applies it. */
  overlay(scenarioId: string, overlay: ScenarioOverlay | null, by: string | null): Promise<void>;
  /** The overlay as stored, if any. */
  storedOverlay(scenarioId: string): ScenarioOverlay | undefined;
}

/** A built export: where to fetch it and how to check it. */
export interface RunExportLink {
  exportId: string;
  url: string;
  sha256: string;
  sizeBytes: number;
}

/** What the operator resolvers (scenarios, runs, governance; issue #5) need from the GraphQL context. */
export interface OperatorContext {
  scenarios: ScenarioRegistry;
  runs: RunManager;
  runStore: RunStore;
  governance: GovernanceService;
  operatorState: OperatorState;
  exportRun(runId: string): Promise<RunExportLink>;
}
