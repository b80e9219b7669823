import { describe, expect, it } from 'vitest';
import { createBoundedQueue } from '../../src/engine/events/bounded-queue.ts';
import { createInProcessEventBus } from '../../src/engine/events/event-bus.ts';
import { GatehouseError } from '../../src/engine/errors.ts';

/**
 * DESIGN §5: each subscriber has a bounded queue; a consumer that falls behind gets a clear error and
 * is closed, and nobody else is slowed down.
 */
const SLOW_CONSUMER_MESSAGE =
  "subscriber fell more than 2 messages behind and was closed; resubscribe (with 'after' where the stream supports it) to catch up";

describe('createBoundedQueue', () => {
  it('delivers queued values in order, then ends', async () => {
    const queue = createBoundedQueue<number>(3);
    expect([queue.push(1), queue.push(2), queue.push(3)]).toEqual([true, true, true]);
    queue.end();
    const seen: number[] = [];
    for await (const value of queue) seen.push(value);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('hands a value straight to a waiting consumer without queueing it', async () => {
    const queue = createBoundedQueue<string>(1);
    const pending = queue.next();
    expect(queue.push('a')).toBe(true);
    expect(queue.size).toBe(0);
    expect(await pending).toEqual({ value: 'a', done: false });
  });

  it('fails the consumer with SLOW_CONSUMER once it is more than the limit behind', async () => {
    let closes = 0;
    const queue = createBoundedQueue<number>(2, () => (closes += 1));
    expect([queue.push(1), queue.push(2)]).toEqual([true, true]);
    expect(queue.push(3)).toBe(false);
    expect(queue.closed).toBe(true);
    expect(queue.size).toBe(0); // dropped at once, not held for a consumer that is not reading
    expect(closes).toBe(1);
    expect(queue.push(4)).toBe(false);

    const failure = await queue.next().then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(GatehouseError);
    expect(failure).toMatchObject({ code: 'SLOW_CONSUMER', message: SLOW_CONSUMER_MESSAGE, details: { queueLimit: 2 } });
    expect(closes).toBe(1);
  });

  it('ends a pending next() and calls onClose once when return() is called', async () => {
    let closes = 0;
    const queue = createBoundedQueue<number>(2, () => (closes += 1));
    const pending = queue.next();
    await queue.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
    await queue.return?.();
    expect(closes).toBe(1);
    expect(queue.push(1)).toBe(false);
  });
});

describe('createInProcessEventBus', () => {
  type Topics = { tick: number };

  it('fails only the subscriber that falls behind; the others keep receiving', async () => {
    const bus = createInProcessEventBus<Topics>(2);
    const fast = bus.subscribe('tick');
    const slow = bus.subscribe('tick');
    const received: number[] = [];
    for (let i = 1; i <= 5; i += 1) {
      const next = fast.next();
      bus.publish('tick', i); // returns at once even though `slow` never reads
      received.push((await next).value);
    }
    expect(received).toEqual([1, 2, 3, 4, 5]);
    await expect(slow.next()).rejects.toMatchObject({ code: 'SLOW_CONSUMER', details: { queueLimit: 2 } });
    expect(bus.subscriberCount()).toBe(1);

    const after = fast.next();
    bus.publish('tick', 6);
    expect(await after).toEqual({ value: 6, done: false });
    await fast.return?.();
  });

  it('publishes without waiting for any consumer, however many are behind', () => {
    const bus = createInProcessEventBus<Topics>(1000);
    const idle = Array.from({ length: 50 }, () => bus.subscribe('tick'));
    for (let i = 0; i < 5000; i += 1) expect(bus.publish('tick', i)).toBeUndefined(); // synchronous, never a promise
    expect(bus.subscriberCount()).toBe(0); // every idle subscriber overflowed and was dropped
    for (const sub of idle) void sub.return?.();
  });

  it('drops the subscriber count when a subscriber returns or its signal aborts', async () => {
    const bus = createInProcessEventBus<Topics>(10);
    const a = bus.subscribe('tick');
    const abort = new AbortController();
    const b = bus.subscribe('tick', { signal: abort.signal });
    expect(bus.subscriberCount()).toBe(2);
    await a.return?.();
    expect(bus.subscriberCount()).toBe(1);
    abort.abort();
    expect(bus.subscriberCount()).toBe(0);
    expect(await b.next()).toEqual({ value: undefined, done: true });
    bus.publish('tick', 1);
    expect(await a.next()).toEqual({ value: undefined, done: true });
  });

  it('honours a per-subscription queue limit over the default', async () => {
    const bus = createInProcessEventBus<Topics>(100);
    const tight = bus.subscribe('tick', { queueLimit: 1 });
    bus.publish('tick', 1);
    bus.publish('tick', 2);
    await expect(tight.next()).rejects.toMatchObject({ code: 'SLOW_CONSUMER', details: { queueLimit: 1 } });
  });

  it('ends every stream on close after the values already queued', async () => {
    const bus = createInProcessEventBus<Topics>(10);
    const sub = bus.subscribe('tick');
    bus.publish('tick', 7);
    bus.close();
    expect(await sub.next()).toEqual({ value: 7, done: false });
    expect(await sub.next()).toEqual({ value: undefined, done: true });
    expect(bus.subscriberCount()).toBe(0);
  });
});
