import { TRY_NEXT, tryNext, type SyncPullable } from './sync-pull.ts';

/**
 * A stream of `select(value)` for each value of `source`, skipping values `select` maps to null.
 * For a live tail that only filters (ttpTagged and gatewayDecisions without `after:`): a plain
 * iterator costs one await per value where an async generator's `for await … yield` costs several,
 * which at hundreds of subscribers per event is most of a delivery (issue 3, fan-out bench).
 * `return()` reaches the source at once, also while a `next()` is waiting (a generator would hold it
 * until the next value came), so an unsubscribe frees its bus queue immediately.
 */
export function selectedStream<T, U>(source: AsyncIterator<T>, select: (value: T) => U | null): AsyncIterableIterator<U> & SyncPullable<U> {
  const stream: AsyncIterableIterator<U> & SyncPullable<U> = {
    [TRY_NEXT]() {
      for (let step = tryNext(source); step; step = tryNext(source)) {
        const selected = select(step.value);
        if (selected !== null) return { value: selected, done: false };
      }
      return null;
    },
    async next() {
      for (;;) {
        const step = await source.next();
        if (step.done) return { value: undefined, done: true };
        const selected = select(step.value);
        if (selected !== null) return { value: selected, done: false };
      }
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}
