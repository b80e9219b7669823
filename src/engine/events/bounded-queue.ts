import { GatehouseError } from '../errors.ts';
import { TRY_NEXT, type SyncPullable } from './sync-pull.ts';

/**
 * A per-subscriber queue with a hard limit (DESIGN §5: "a consumer that falls behind gets a clear
 * error and is closed, and nobody else is slowed down"). Publishing never waits for a consumer:
 * `push` is O(1) and, past the limit, the queue fails its consumer with SLOW_CONSUMER instead of
 * growing.
 */
export interface BoundedQueue<T> extends AsyncIterableIterator<T>, SyncPullable<T> {
  /** Offers a value; returns false when the queue is closed or has just overflowed. */
  push(value: T): boolean;
  /** Ends the stream after the values already queued. */
  end(): void;
  readonly size: number;
  readonly closed: boolean;
}

export function createBoundedQueue<T>(limit: number, onClose: () => void = () => {}): BoundedQueue<T> {
  let items: T[] = [];
  let head = 0;
  let waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | null = null;
  let ended = false;
  let failure: GatehouseError | null = null;
  let finished = false;

  const finish = () => {
    if (finished) return;
    finished = true;
    onClose();
  };

  const size = () => items.length - head;

  const queue: BoundedQueue<T> = {
    get size() {
      return size();
    },
    get closed() {
      return ended || failure !== null;
    },
    push(value) {
      if (ended || failure) return false;
      if (waiting) {
        const w = waiting;
        waiting = null;
        w.resolve({ value, done: false });
        return true;
      }
      if (size() >= limit) {
        failure = new GatehouseError(
          'SLOW_CONSUMER',
          `subscriber fell more than ${limit} messages behind and was closed; resubscribe (with 'after' where the stream supports it) to catch up`,
          { queueLimit: limit },
        );
        items = [];
        head = 0;
        finish();
        return false;
      }
      items.push(value);
      return true;
    },
    end() {
      if (ended) return;
      ended = true;
      if (waiting && size() === 0) {
        const w = waiting;
        waiting = null;
        w.resolve({ value: undefined, done: true });
      }
      if (size() === 0) finish();
    },
    [TRY_NEXT]() {
      if (failure || size() === 0) return null;
      const value = items[head] as T;
      head += 1;
      if (head > 1024 && head * 2 > items.length) {
        items = items.slice(head);
        head = 0;
      }
      if (ended && size() === 0) finish();
      return { value, done: false };
    },
    next() {
      if (failure) {
        const err = failure;
        return Promise.reject(err);
      }
      const ready = queue[TRY_NEXT]();
      if (ready) return Promise.resolve(ready);
      if (ended) {
        finish();
        return Promise.resolve({ value: undefined, done: true });
      }
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
      });
    },
    return() {
      ended = true;
      items = [];
      head = 0;
      if (waiting) {
        const w = waiting;
        waiting = null;
        w.resolve({ value: undefined, done: true });
      }
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(err?: unknown) {
      void queue.return?.();
      return Promise.reject(err);
    },
    [Symbol.asyncIterator]() {
      return queue;
    },
  };
  return queue;
}
