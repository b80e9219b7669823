/**
 * An optional fast path on the async iterators of a subscription's live path (issue 3, fan-out
 * bench). A published batch lands in a subscriber's bounded queue all at once; pulling it with
 * `next()` costs a few promises per value per layer (queue → filter → error guard → execute), per
 * subscriber. `[TRY_NEXT]()` hands over a value that is already there, synchronously, or returns
 * null: "nothing ready now, call `next()`". Null is also the answer for anything that is not a plain
 * value (the stream ended or failed), so endings and errors always travel the ordinary `next()` path.
 *
 * Contract for an implementation: values come in the same order `next()` would give them, and the
 * caller never calls `[TRY_NEXT]()` while one of its `next()` calls is still pending.
 */
export const TRY_NEXT: unique symbol = Symbol('gatehouse.tryNext');

export interface SyncPullable<T> {
  [TRY_NEXT](): IteratorYieldResult<T> | null;
}

/** `iterator[TRY_NEXT]()` where the iterator has one, else null. */
export function tryNext<T>(iterator: AsyncIterator<T>): IteratorYieldResult<T> | null {
  const pull = (iterator as Partial<SyncPullable<T>>)[TRY_NEXT];
  return pull ? pull.call(iterator) : null;
}
