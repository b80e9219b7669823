import type { GovernanceSnapshot } from '../governance/governance-service.ts';
import type { ComponentName, Speed } from '../scenarios/scenario.ts';
import type { ComponentCard } from './run-components.ts';
import type { RunMetrics } from './run-metrics.ts';

/**
 * A replay run (DESIGN §8, issue #5 §3): a scenario replayed on a virtual clock through the tagging
 * engine and the gateway in dry-run. `QUEUED → RUNNING ⇄ PAUSED → COMPLETED | FAULT | CANCELLED`;
 * terminal states are final.
 */
export const RUN_STATES = ['QUEUED', 'RUNNING', 'PAUSED', 'COMPLETED', 'FAULT', 'CANCELLED'] as const;
export type RunState = (typeof RUN_STATES)[number];

export const TERMINAL_RUN_STATES: ReadonlySet<RunState> = new Set(['COMPLETED', 'FAULT', 'CANCELLED']);
export const isTerminal = (state: RunState): boolean => TERMINAL_RUN_STATES.has(state);

/** Why a run ended the way it did (null while it runs or when it completed normally). */
export const RUN_END_REASONS = ['stopped', 'forced', 'interrupted', 'engine_error', 'budget_exceeded', 'scenario_unavailable'] as const;
export type RunEndReason = (typeof RUN_END_REASONS)[number];

/** What `startRun` may change for one run, on top of the scenario's params. */
export interface RunOverrides {
  speed?: Speed;
  ticksTotal?: number;
  eventsPerTick?: number;
  metricsEnabled?: boolean;
  loggingEnabled?: boolean;
  governancePreset?: string | null;
}

/** The params a run actually used: the scenario's, with the overrides applied. */
export interface RunParams {
  speed: Speed;
  ticksTotal: number;
  eventsPerTick: number;
  metricsEnabled: boolean;
  loggingEnabled: boolean;
}

/** Everything a run froze at start, so its results can be reproduced and compared (issue #5 §4). */
export interface RunSnapshot {
  governance: GovernanceSnapshot;
  rulePackHash: string;
  policyHash: string | null;
  scenarioHash: string;
  /** SHA-256 over the policy, rule-pack and governance hashes (the same formula as governance.policySetHash). */
  policySetHash: string;
  components: ComponentName[];
  /** Rules whose effective state was not plain `enabled` when the run started; the run keeps these. */
  ruleStates: FrozenRuleState[];
}

export interface FrozenRuleState {
  ruleId: string;
  state: 'disabled' | 'clipped';
  confidenceMax: number | null;
}

export interface RunProgress {
  /** 0..1: steps processed ÷ steps to process. */
  progress: number;
  ticksCompleted: number;
  ticksTotal: number;
  eventsCompleted: number;
  eventsTotal: number;
  /** Steps per wall-clock second while running (paused time excluded). */
  eventsPerSecond: number;
  /** Seconds until done at the current rate; null when unknown (not started, paused, or finished). */
  etaSeconds: number | null;
  /** The virtual clock: event time of the last step processed. */
  virtualTime: Date | null;
}

export interface RunRecord {
  runId: string;
  scenarioId: string;
  scenarioName: string;
  state: RunState;
  endReason: RunEndReason | null;
  /** Human-readable account of the end (fault message, who stopped it and why). */
  message: string | null;
  overrides: RunOverrides;
  params: RunParams;
  /** Frozen when the run starts (null while it waits in the queue). */
  snapshot: RunSnapshot | null;
  progress: RunProgress;
  /** Null until the run ends (and when metrics are off). */
  metrics: RunMetrics | null;
  /** One card per engine part (issue #5 §7); empty until the run starts. */
  components: ComponentCard[];
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  /** Who started it (token name). */
  startedBy: string | null;
  idempotencyKey: string | null;
  /** False once retention removed the run's events, tags, decisions and logs (the summary stays). */
  detailRetained: boolean;
  /** The instance executing it (scale-out: the lease holder). */
  owner: string | null;
}

export interface RunFilter {
  state?: RunState | null;
  scenarioId?: string | null;
  since?: Date | null;
  until?: Date | null;
}

export const RUN_ORDERS = ['CREATED_DESC', 'CREATED_ASC'] as const;
export type RunOrder = (typeof RUN_ORDERS)[number];
