import { describe, expect, it } from 'vitest';
import { createBoundedQueue } from '../../../src/engine/events/bounded-queue.ts';
import { selectedStream } from '../../../src/engine/events/selected-stream.ts';
import { TRY_NEXT, tryNext } from '../../../src/engine/events/sync-pull.ts';

/** The synchronous pull on the live path (issue 3): same values, same order, endings left to next(). */
describe('TRY_NEXT on a bounded queue', () => {
  it('hands over queued values in order and answers null once none is left', async () => {
    const queue = createBoundedQueue<number>(10);
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(queue[TRY_NEXT]()).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: 2, done: false });
    expect(queue[TRY_NEXT]()).toEqual({ value: 3, done: false });
    expect(queue[TRY_NEXT]()).toBeNull();
  });

  it('leaves the end of the stream to next()', async () => {
    const queue = createBoundedQueue<number>(10);
    queue.push(1);
    queue.end();
    expect(queue[TRY_NEXT]()).toEqual({ value: 1, done: false });
    expect(queue[TRY_NEXT]()).toBeNull();
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it('answers null for a queue that overflowed, so the SLOW_CONSUMER error comes through next()', async () => {
    const queue = createBoundedQueue<number>(1);
    queue.push(1);
    queue.push(2);
    expect(queue[TRY_NEXT]()).toBeNull();
    await expect(queue.next()).rejects.toMatchObject({ code: 'SLOW_CONSUMER' });
  });
});

describe('TRY_NEXT on a selected stream', () => {
  it('skips values the selection drops and maps the others, in order', () => {
    const queue = createBoundedQueue<number>(10);
    for (const n of [1, 2, 3, 4]) queue.push(n);
    const evens = selectedStream(queue, (n) => (n % 2 === 0 ? `even ${n}` : null));
    expect(evens[TRY_NEXT]()).toEqual({ value: 'even 2', done: false });
    expect(evens[TRY_NEXT]()).toEqual({ value: 'even 4', done: false });
    expect(evens[TRY_NEXT]()).toBeNull();
  });

  it('answers null over a source without the fast path', () => {
    async function* plain() {
      yield 1;
    }
    expect(tryNext(selectedStream(plain(), (n) => n))).toBeNull();
  });

  it('unsubscribes its source at once on return(), even while a next() waits', async () => {
    let closed = 0;
    const queue = createBoundedQueue<number>(10, () => (closed += 1));
    const stream = selectedStream(queue, (n) => n);
    const pending = stream.next();
    await stream.return?.();
    expect(closed).toBe(1);
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});
