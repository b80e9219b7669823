/**
 * Idempotency keys (DESIGN §2, "app contract conventions"): the first call with a key runs; a repeat
 * from the same caller for the same operation returns the first result, marked deduplicated. A repeat
 * that arrives while the first is still running waits for it. Failures are not remembered, so a retry
 * runs again.
 *
 * `createIdempotencyCache` keeps keys in memory, per instance (the embedded default): for `ttlMs`, at
 * most `maxEntries` keys, oldest dropped first. Several instances share keys through
 * src/server/redis-idempotency.ts (issue 6 §5).
 */
export interface IdempotencyCache {
  run<T>(scope: string, key: string | null | undefined, work: () => Promise<T>, shared?: SharedResult<T>): Promise<{ value: T; deduplicated: boolean }>;
}

/**
 * How a cache shared between instances keeps a result: by reference, when the result already lives in
 * shared storage (a gateway request is a row; its id is enough). Without one, a shared cache keeps an
 * encoded copy of the value. An in-memory cache holds the value itself and ignores this.
 */
export interface SharedResult<T> {
  /** What to keep for the first result, e.g. its request id. */
  reference(value: T): string;
  /** Reads the first result back on any instance; null when it can no longer be found. */
  load(reference: string): Promise<T | null>;
}

export function createIdempotencyCache(options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}): IdempotencyCache {
  const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { at: number; result: Promise<unknown> }>();

  return {
    async run(scope, key, work) {
      if (!key) return { value: await work(), deduplicated: false };
      const id = `${scope}\u0000${key}`;
      const existing = entries.get(id);
      if (existing && existing.at + ttlMs > now()) return { value: (await existing.result) as Awaited<ReturnType<typeof work>>, deduplicated: true };
      const result = work();
      entries.set(id, { at: now(), result });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
      try {
        return { value: await result, deduplicated: false };
      } catch (err) {
        entries.delete(id);
        throw err;
      }
    },
  };
}
