import type { GovernanceService } from '../governance/governance-service.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import type { FrozenRuleState, RunRecord } from './run.ts';
import type { RunLogEntry } from './run-log.ts';
import type { RunProgressMessage } from './run-progress.ts';
import type { RunSession } from './run-session.ts';
import type { RunStore } from './run-store.ts';
import type { RunWriter } from './run-writer.ts';

/** What the run manager is built from (composed in src/capabilities/operator.ts). */
export interface RunManagerDeps {
  store: RunStore;
  scenario(id: string): Scenario | undefined;
  governance: GovernanceService;
  hashes(): { policyHash: string | null; rulePackHash: string };
  /** Rules not plainly enabled right now (frozen into each run's snapshot). */
  ruleStates(): FrozenRuleState[];
  /** Rule id → the techniques it emits (for per-rule false negatives). */
  ruleEmits(): ReadonlyMap<string, readonly { techniqueId: string; subTechniqueId: string | null }[]>;
  lifterRules(): number;
  /** The run's tagging and gateway; what they store goes through `writer`. */
  openSession(run: RunRecord, scenario: Scenario, writer: RunWriter): Promise<RunSession>;
  publishProgress(message: RunProgressMessage): void;
  publishLog(entry: RunLogEntry): void;
  maxConcurrentRuns: number;
  /** Runs whose detail (events, tags, decisions, logs) is kept; older runs keep their summary only. */
  retainDetail: number;
  instance: string;
  onError(err: unknown, context: string): void;
  now?: () => Date;
  /** Default STOP_DEADLINE_MS (tests shorten it). */
  stopDeadlineMs?: number;
  /**
   * Scale-out (issue #6 §4): runs are leased to the instance executing them and renewed every third
   * of `ms`; a run whose lease expired (its owner died) is ended FAULT (interrupted) by another
   * instance. Absent: one instance owns every run, and start-up recovers them all.
   */
  lease?: { ms: number };
  /** Scale-out: carries stop, pause, resume and step to the instance that executes the run. */
  relay?: { send(command: RunCommand): void; listen(handler: (command: RunCommand) => void): void };
}

/** A run command for the instance executing the run (scale-out). */
export interface RunCommand {
  runId: string;
  command: 'stop' | 'pause' | 'resume' | 'step';
  ticks?: number;
  reason?: string | null;
  by?: string | null;
  from: string;
}
