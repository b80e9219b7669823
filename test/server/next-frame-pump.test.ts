import type { ExecutionResult } from 'graphql';
import { MessageType, stringifyMessage } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { createBoundedQueue } from '../../src/engine/events/bounded-queue.ts';
import { pumpNextFrames } from '../../src/server/next-frame-pump.ts';

/** The pump writes what graphql-ws would write, in order, and stops or waits when it must. */
const encode = (result: ExecutionResult) => Buffer.from(`${JSON.stringify(result)}}`);

function recorder() {
  const frames: string[] = [];
  let flushes = 0;
  let gate: Promise<void> | null = null;
  return {
    frames,
    flushes: () => flushes,
    holdNextSend(until: Promise<void>) {
      gate = until;
    },
    target: {
      id: 'op "1"',
      send(data: string | Buffer) {
        frames.push(String(data));
        const waiting = gate;
        gate = null;
        return waiting ?? undefined;
      },
      flush: () => void (flushes += 1),
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('pumpNextFrames', () => {
  it("writes each result as the exact text of graphql-ws's next message, then ends", async () => {
    const results = createBoundedQueue<ExecutionResult>(10);
    const out = recorder();
    const a = { data: { n: 1, s: 'é "quoted"' }, extensions: { apiVersion: '1.0' } };
    const b = { data: { n: 2 }, extensions: { apiVersion: '1.0' } };
    results.push(a);
    results.push(b);
    results.end();
    const stream = pumpNextFrames(results, out.target, encode);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(out.frames).toEqual([a, b].map((payload) => stringifyMessage({ id: 'op "1"', type: MessageType.Next, payload })));
    expect(out.flushes()).toBe(1); // both were ready at once: one batch, one flush
  });

  it('writes nothing more once graphql-ws returns the stream, and unsubscribes the results', async () => {
    let closed = 0;
    const results = createBoundedQueue<ExecutionResult>(10, () => (closed += 1));
    const out = recorder();
    const stream = pumpNextFrames(results, out.target, encode);
    const ended = stream.next();
    results.push({ data: { n: 1 } });
    await tick();
    await stream.return?.();
    results.push({ data: { n: 2 } });
    await tick();
    expect(out.frames).toHaveLength(1);
    expect(closed).toBe(1);
    expect(await ended).toEqual({ value: undefined, done: true });
  });

  it('pulls no further result while the socket is backed up, so the queue behind it fills', async () => {
    const results = createBoundedQueue<ExecutionResult>(2);
    const out = recorder();
    let drain!: () => void;
    out.holdNextSend(new Promise((resolve) => (drain = resolve)));
    const stream = pumpNextFrames(results, out.target, encode);
    const ended = stream.next();
    results.push({ data: { n: 1 } });
    await tick();
    results.push({ data: { n: 2 } });
    results.push({ data: { n: 3 } });
    await tick();
    expect(out.frames).toHaveLength(1);
    expect(results.size).toBe(2);
    expect(results.push({ data: { n: 4 } })).toBe(false); // over the limit: the queue fails its consumer
    drain();
    await expect(ended).rejects.toMatchObject({ code: 'SLOW_CONSUMER' });
  });

  it('does not start before graphql-ws pulls, so a stream dropped during subscribe writes nothing', async () => {
    const results = createBoundedQueue<ExecutionResult>(10);
    results.push({ data: { n: 1 } });
    const out = recorder();
    const stream = pumpNextFrames(results, out.target, encode);
    await tick();
    await stream.return?.();
    expect(out.frames).toEqual([]);
  });
});
