import { createEventTimeWindow } from '../../src/plugins/api.ts';

/**
 * Remembers when each key last fired, so a burst of a hundred failures yields one finding per
 * window instead of ninety-one: after firing at time T a key stays quiet for events before T + W.
 * Events that arrive late (before T) are quiet too: they belong to the burst already reported.
 */
export interface FiringMemory {
  /** True while `at` falls less than one window after the key last fired (or before it). */
  isQuiet(key: string, at: Date): boolean;
  /** Records that `key` fired at `at`. */
  remember(key: string, at: Date): void;
  /** Keys currently held; bounded by `maxKeys`. */
  readonly trackedKeys: number;
}

export function createFiringMemory(options: { windowMs: number; maxKeys: number }): FiringMemory {
  // A window of width W holds a marker exactly while later events are within W of it.
  const fired = createEventTimeWindow<null>(options);
  return {
    isQuiet: (key, at) => fired.get(key, at).length > 0,
    remember: (key, at) => {
      fired.add(key, at, null);
    },
    get trackedKeys() {
      return fired.size;
    },
  };
}
