/**
 * What instances of one deployment tell each other over the bus (issue #6 §3). Changes are persisted
 * in the database first; the announcement only says "re-read it", so a lost message costs at most a
 * stale view until the next heartbeat (which carries the hashes that reveal it).
 */
export const CONTROL_KINDS = ['governance', 'ruleState', 'policy'] as const;
export type ControlKind = (typeof CONTROL_KINDS)[number];

export interface ControlChange {
  kind: ControlKind;
  /** The instance that made the change (receivers skip their own). */
  instance: string;
  at: Date;
}

/** Sent by every instance every few seconds. */
export interface InstanceHeartbeat {
  instance: string;
  startedAt: Date;
  at: Date;
  policySetHash: string;
  rulePackHash: string;
  policyHash: string | null;
  governanceRevision: number;
}
