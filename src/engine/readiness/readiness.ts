/** Readiness as clients see it (issue #2 §8): an aggregate state, per-subsystem status and hints. */
export const READINESS_STATES = ['READY', 'DEGRADED', 'UNAVAILABLE'] as const;
export type ReadinessState = (typeof READINESS_STATES)[number];

export const SUBSYSTEM_STATUSES = ['UP', 'DEGRADED', 'DOWN'] as const;
export type SubsystemStatus = (typeof SUBSYSTEM_STATUSES)[number];

export const HINT_SEVERITIES = ['INFO', 'WARNING', 'CRITICAL'] as const;
export type HintSeverity = (typeof HINT_SEVERITIES)[number];

export interface SubsystemReport {
  name: string;
  status: SubsystemStatus;
  reason: string | null;
}

export interface ReadinessHint {
  /** Stable machine-readable code, e.g. `database_unreachable`. */
  code: string;
  severity: HintSeverity;
  message: string;
}

export interface Readiness {
  state: ReadinessState;
  checkedAt: Date;
  subsystems: SubsystemReport[];
  hints: ReadinessHint[];
}

/** What a probe returns; hints let a subsystem explain itself ("audit chain broken at 17"). */
export interface ProbeResult {
  status: SubsystemStatus;
  reason?: string | null;
  hints?: ReadinessHint[];
}

/**
 * A subsystem's health check. A critical subsystem that is DOWN makes the whole server UNAVAILABLE;
 * any other problem makes it DEGRADED.
 */
export interface ReadinessProbe {
  name: string;
  critical: boolean;
  check(): ProbeResult | Promise<ProbeResult>;
}
