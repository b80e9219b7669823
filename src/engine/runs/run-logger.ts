import type { RunLogEntry, RunLogEventType, RunLogLevel } from './run-log.ts';

/**
 * Collects a run's log entries with their seq and writes them in batches (issue #5 §6): an entry is
 * published only after it is stored, so `runLogs(after:)` can replay then tail with no gap. With
 * logging off only warnings and errors are kept (run start and end are always kept).
 */
export function createRunLogger(deps: {
  runId: string;
  enabled: boolean;
  store(entries: readonly RunLogEntry[]): Promise<void>;
  publish(entry: RunLogEntry): void;
  now?: () => Date;
  /** Highest seq already stored for this run (a resumed queue continues after it). */
  lastSeq?: number;
}) {
  const now = deps.now ?? (() => new Date());
  let seq = deps.lastSeq ?? 0;
  let pending: RunLogEntry[] = [];
  let written = 0;
  let sealed = false;
  const ALWAYS = new Set<RunLogEventType>(['run_queued', 'run_started', 'run_completed', 'run_cancelled', 'run_fault', 'run_paused', 'run_resumed', 'run_stepped']);

  return {
    log(level: RunLogLevel, eventType: RunLogEventType, message: string, payload: Record<string, unknown> = {}) {
      if (sealed) return;
      if (!deps.enabled && !ALWAYS.has(eventType) && level !== 'WARN' && level !== 'ERROR') return;
      seq += 1;
      pending.push({ runId: deps.runId, seq, timestamp: now(), level, eventType, message, payload });
    },
    get size() {
      return pending.length;
    },
    /** Entries written so far (for the store card). */
    get written() {
      return written;
    },
    /** After the run's final entry: an executor cut off at the deadline (or on shutdown) logs nothing after it. */
    seal() {
      sealed = true;
    },
    async flush() {
      if (pending.length === 0) return 0;
      const batch = pending;
      pending = [];
      await deps.store(batch);
      written += batch.length;
      for (const entry of batch) deps.publish(entry);
      return batch.length;
    },
  };
}

export type RunLogger = ReturnType<typeof createRunLogger>;
