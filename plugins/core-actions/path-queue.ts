/**
 * Per-path serialisation (issue: "writes to one path are serialised"). Every mutating action on one
 * canonical path runs after the previous one on that path has settled, so a `patch_file` reads the
 * result of the write queued before it instead of losing it. Different paths run in parallel.
 *
 * One queue is created per plugin instance (see `core-action-handlers.ts`), never at module import,
 * and a path's entry is dropped once its last task settles, so memory is bounded by the paths in
 * flight. It serialises within this process only; other processes writing the same files are not
 * coordinated (the atomic rename still keeps every file whole).
 */
export interface PathQueue {
  /** Runs `task` after every earlier task for `key` has settled; resolves or rejects as `task` does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** How many keys have tasks queued or running. */
  readonly size: number;
}

export function createPathQueue(): PathQueue {
  // The tail of each key's chain; it never rejects, so one failed task does not block the next.
  const tails = new Map<string, Promise<void>>();
  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(() => task());
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    get size() {
      return tails.size;
    },
  };
}
