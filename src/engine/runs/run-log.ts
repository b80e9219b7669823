/** Per-run structured log entries (issue #5 §6): stored with the run, paged, filtered and streamed. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type RunLogLevel = (typeof LOG_LEVELS)[number];

export const levelRank = (level: RunLogLevel): number => LOG_LEVELS.indexOf(level);

export const RUN_LOG_EVENT_TYPES = ['run_queued', 'run_started', 'run_paused', 'run_resumed', 'run_stepped', 'run_completed', 'run_cancelled', 'run_fault', 'tick', 'tag', 'decision', 'step_rejected', 'lifter_error'] as const;
export type RunLogEventType = (typeof RUN_LOG_EVENT_TYPES)[number];

export interface RunLogEntry {
  runId: string;
  /** 1, 2, 3… within the run: the `after` cursor of `runLogs`. */
  seq: number;
  timestamp: Date;
  level: RunLogLevel;
  eventType: RunLogEventType;
  message: string;
  payload: Record<string, unknown>;
}

export interface RunLogFilter {
  level?: RunLogLevel | null;
  minLevel?: RunLogLevel | null;
  eventType?: RunLogEventType | null;
  since?: Date | null;
  until?: Date | null;
}

export function logMatches(entry: RunLogEntry, f: RunLogFilter): boolean {
  return (
    (!f.level || entry.level === f.level) &&
    (!f.minLevel || levelRank(entry.level) >= levelRank(f.minLevel)) &&
    (!f.eventType || entry.eventType === f.eventType) &&
    (!f.since || entry.timestamp >= f.since) &&
    (!f.until || entry.timestamp < f.until)
  );
}
