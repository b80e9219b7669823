import type { RunWriteBatch } from './run-store.ts';

/** Rows handed to the writer; any part may be left out. */
export type RunRows = { readonly [K in keyof RunWriteBatch]?: readonly RunWriteBatch[K][number][] };

/**
 * Group commit for one run (issue #5, benchmarks): everything a run stores while it executes — the
 * events and tags its steps produced, step results, log entries — is queued here and written in one
 * transaction per batch, one batch at a time. While a batch is being written the next one gathers,
 * so a run makes about one transaction per chunk whatever the mix of steps, and the executor goes
 * on tagging while the store writes (SQLite works on its own thread).
 *
 * Promises: rows are committed in the order they were added, each `add` resolves once its rows are
 * committed (so a log entry published after its `add` resolved can be read back), and the first
 * failure rejects that batch, everything queued behind it and every later `add` — no rows are
 * stored after a hole.
 */
export interface RunWriter {
  add(rows: RunRows): Promise<void>;
  /** The first write error, or null. */
  readonly failure: unknown;
}

/** A loop rather than `push(...rows)`: a tick may hold more rows than a call takes arguments. */
function append<T>(to: T[], rows: readonly T[] | undefined) {
  if (rows) for (const row of rows) to.push(row);
}

const emptyBatch = (): RunWriteBatch => ({ events: [], tags: [], steps: [], logs: [] });

export function createRunWriter(write: (batch: RunWriteBatch) => Promise<void>): RunWriter {
  let queued = emptyBatch();
  let waiting: { resolve(): void; reject(err: unknown): void }[] = [];
  let writing = false;
  let failure: unknown = null;

  const drain = async () => {
    while (waiting.length > 0) {
      const batch = queued;
      const done = waiting;
      queued = emptyBatch();
      waiting = [];
      if (failure === null) {
        try {
          await write(batch);
        } catch (err) {
          failure = err;
        }
      }
      for (const w of done) {
        if (failure === null) w.resolve();
        else w.reject(failure);
      }
    }
    writing = false;
  };

  return {
    add(rows) {
      if (failure !== null) return Promise.reject(failure);
      append(queued.events, rows.events);
      append(queued.tags, rows.tags);
      append(queued.steps, rows.steps);
      append(queued.logs, rows.logs);
      const stored = new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }));
      if (!writing) {
        writing = true;
        // After the current macrotask: the rows a chunk adds together (its events, then its step
        // results and logs) go into one batch.
        setImmediate(() => void drain());
      }
      return stored;
    },
    get failure() {
      return failure;
    },
  };
}
