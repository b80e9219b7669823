import type { RunRecord } from './run.ts';
import type { RunStore } from './run-store.ts';

/**
 * Scale-out run leases (issue #6 §4): every third of the lease this instance renews the runs it
 * executes and ends, FAULT (interrupted), any unfinished run whose owner stopped renewing.
 */
export function startLeaseKeeper(deps: {
  store: RunStore;
  instance: string;
  leaseMs: number;
  now: () => Date;
  /** Ids of the runs this instance executes or queues. */
  held(): string[];
  interrupt(run: RunRecord, message: string): Promise<void>;
  onError(err: unknown, context: string): void;
}): () => void {
  const timer = setInterval(() => {
    const held = deps.held();
    void deps.store.renewLeases(deps.instance, held, new Date(deps.now().getTime() + deps.leaseMs)).catch((err) => deps.onError(err, 'could not renew run leases'));
    void deps.store
      .expiredLeases(deps.now(), deps.instance)
      .then(async (expired) => {
        for (const r of expired) if (!held.includes(r.runId)) await deps.interrupt(r, `the instance executing the run (${r.owner ?? 'unknown'}) stopped renewing its lease`);
      })
      .catch((err) => deps.onError(err, 'could not sweep expired run leases'));
  }, Math.max(1000, Math.floor(deps.leaseMs / 3)));
  timer.unref();
  return () => clearInterval(timer);
}

/** Polls the store until a relayed command shows its effect (`done`) or `waitMs` pass; returns what is there. */
export async function awaitStored(store: RunStore, run: RunRecord, done: (r: RunRecord) => boolean, waitMs: number): Promise<RunRecord> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const current = (await store.get(run.runId)) ?? run;
    if (done(current) || Date.now() > deadline) return current;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
