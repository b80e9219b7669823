import type { PluginEvent } from '../../src/plugins/api.ts';
import { createFiringMemory } from './firing-memory.ts';
import { createKeyedWindow, type KeyedWindowOptions, type Observation } from './keyed-window.ts';
import { findWindow } from './window-search.ts';

export interface BurstDetectorOptions<Value> {
  readonly windowMinutes: number;
  readonly maxTrackedKeys: number;
  /** Per-key cap before compaction (see KeyedWindowOptions). */
  readonly maxPerKey: number;
  readonly compact?: KeyedWindowOptions<Value>['compact'];
  /** Whether observations inside one window amount to a detection, e.g. "at least ten of them". */
  readonly accept: (run: readonly Observation<Value>[]) => boolean;
}

/**
 * "Observations per key inside one event-time window satisfy a test": the shape of brute force,
 * password guessing and password spraying.
 *
 * Fires once per key per window: the key's observations are forgotten when it fires and the key stays
 * quiet for one window, so a sustained attack yields one finding every window, not one per event.
 */
export interface BurstDetector<Value> {
  /** Records one observation; returns the run that fired (oldest first) or null. */
  observe(key: string, event: PluginEvent, value: Value): readonly Observation<Value>[] | null;
  /** Keys held by the window and by the firing memory, for memory checks. */
  readonly trackedKeys: { readonly window: number; readonly fired: number };
}

export function createBurstDetector<Value>(options: BurstDetectorOptions<Value>): BurstDetector<Value> {
  const windowMs = options.windowMinutes * 60_000;
  const window = createKeyedWindow<Value>({
    windowMs,
    maxKeys: options.maxTrackedKeys,
    maxPerKey: options.maxPerKey,
    ...(options.compact ? { compact: options.compact } : {}),
  });
  const fired = createFiringMemory({ windowMs, maxKeys: options.maxTrackedKeys });

  return {
    observe(key, event, value) {
      const at = event.occurredAt;
      if (fired.isQuiet(key, at)) return null;
      const held = window.record(key, at, event.sourceId, value);
      if (held === null) return null;
      const run = findWindow(held, at.getTime(), windowMs, options.accept);
      if (run === null) return null;
      window.forget(key);
      // Quiet from the end of the run: with late arrivals the run can end after `at`.
      fired.remember(key, new Date(Math.max(at.getTime(), run.at(-1)?.at ?? 0)));
      return run;
    },
    get trackedKeys() {
      return { window: window.trackedKeys, fired: fired.trackedKeys };
    },
  };
}
