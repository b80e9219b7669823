import { createEventTimeWindow } from '../../src/plugins/api.ts';

/** One event remembered in a window: when it happened, which event it was, and what the lifter kept. */
export interface Observation<Value> {
  /** Event time in epoch milliseconds. */
  readonly at: number;
  readonly sourceId: string;
  readonly value: Value;
}

export interface KeyedWindowOptions<Value> {
  readonly windowMs: number;
  /** Most keys held at once; the least recently touched key is forgotten first. */
  readonly maxKeys: number;
  /** A key holding more observations than this is compacted, so one noisy key cannot grow without bound. */
  readonly maxPerKey: number;
  /**
   * What a compacted key keeps, oldest first. The default keeps the newest half of `maxPerKey`, which
   * is enough for "at least N inside the window" tests when `maxPerKey` is at least 2 × N.
   */
  readonly compact?: (observations: readonly Observation<Value>[]) => readonly Observation<Value>[];
}

/**
 * Observations per key over event time: `createEventTimeWindow` plus the two promises the credential
 * lifters need on top of it.
 *
 * - An event seen twice (same `sourceId`, e.g. ingested again) is counted once, so re-sending a batch
 *   cannot turn nine failures into eighteen.
 * - Memory is bounded twice: by `maxKeys` across keys and by `maxPerKey` within one key.
 */
export interface KeyedWindow<Value> {
  /**
   * Records an observation and returns the key's observations inside the window, oldest first (they
   * can include events later than `at` when `at` arrived late), or null when `sourceId` was already
   * recorded for this key.
   */
  record(key: string, at: Date, sourceId: string, value: Value): readonly Observation<Value>[] | null;
  /** The key's observations inside the window ending at `at`, oldest first. */
  peek(key: string, at: Date): readonly Observation<Value>[];
  /** Forgets the key, e.g. after it fired, so the same observations cannot fire again. */
  forget(key: string): void;
  /** Keys currently held (some may hold no observations until they are evicted). */
  readonly trackedKeys: number;
}

type Stored<Value> = { readonly sourceId: string; readonly value: Value };

export function createKeyedWindow<Value>(options: KeyedWindowOptions<Value>): KeyedWindow<Value> {
  const window = createEventTimeWindow<Stored<Value>>({ windowMs: options.windowMs, maxKeys: options.maxKeys, maxEntriesPerKey: options.maxPerKey + 1 });
  const keepNewest = (list: readonly Observation<Value>[]) => list.slice(-Math.ceil(options.maxPerKey / 2));
  const compact = options.compact ?? keepNewest;
  const unwrap = (entries: readonly { at: number; value: Stored<Value> }[]): Observation<Value>[] =>
    entries.map((e) => ({ at: e.at, sourceId: e.value.sourceId, value: e.value.value }));

  return {
    record(key, at, sourceId, value) {
      if (window.get(key, at).some((e) => e.value.sourceId === sourceId)) return null;
      let entries = window.add(key, at, { sourceId, value });
      if (entries.length > options.maxPerKey) {
        // The window API has no per-key cap, so compaction rebuilds the key from what it keeps.
        // Compacting to well under the cap makes this rare: amortised O(1) per observation.
        const kept = compact(unwrap(entries));
        window.clear(key);
        entries = [];
        for (const o of kept) entries = window.add(key, new Date(o.at), { sourceId: o.sourceId, value: o.value });
      }
      return unwrap(entries);
    },
    peek(key, at) {
      return unwrap(window.get(key, at));
    },
    forget(key) {
      window.clear(key);
    },
    get trackedKeys() {
      return window.size;
    },
  };
}

/** Joins key parts without ambiguity: `["a|b","c"]` and `["a","b|c"]` stay different keys. */
export function keyOf(...parts: readonly string[]): string {
  return JSON.stringify(parts);
}
