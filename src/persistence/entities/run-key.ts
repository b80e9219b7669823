/**
 * How tagging rows record which replay run they belong to. Live rows store the empty string, not
 * NULL: the idempotency constraints include the run (`events` unique on (source_kind, source_id,
 * run_id), `tags` keyed by (id, run_id)), and SQL unique constraints treat NULLs as distinct, so a
 * NULL would let the same live event be stored twice on SQLite and PostgreSQL alike. The engine
 * never sees the sentinel: repositories convert with these two functions at the boundary.
 */
export const LIVE_RUN_KEY = '';

export function toRunKey(runId: string | null): string {
  if (runId === LIVE_RUN_KEY) throw new Error("run id must be null (live) or a non-empty string, got ''");
  return runId ?? LIVE_RUN_KEY;
}

export function fromRunKey(runKey: string | null): string | null {
  return runKey === null || runKey === LIVE_RUN_KEY ? null : runKey;
}
