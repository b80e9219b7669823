import type { ExecutionResult } from 'graphql';
import { tryNext } from '../engine/events/sync-pull.ts';

/** Where one graphql-ws operation's `next` frames go. */
export interface FrameTarget {
  /** The operation id the client chose. */
  id: string;
  /** The connection's send (graphql-ws-binding.ts; a Buffer is UTF-8 text): returns a promise only when the socket is backed up. */
  send(data: string | Buffer): Promise<void> | void;
  /** Lets the frames sent so far leave now (the socket's writes are otherwise held to the end of the turn). */
  flush(): void;
}

/**
 * Writes a subscription's results to its socket as graphql-ws `next` frames, and hands graphql-ws a
 * stand-in stream that yields nothing and ends when the results do (issue 3, fan-out bench).
 *
 * Why: graphql-ws sends each result through `onNext`, a fresh `JSON.stringify` of the whole message
 * and several awaits, per subscriber per event. Here `payloadText` can return one cached UTF-8 text
 * (the payload and the message's closing brace) for a result shared by many subscribers
 * (useSharedEventResults), and each frame is the text graphql-ws would write —
 * `{"id":…,"type":"next","payload":…}` — built by copying two buffers.
 *
 * What graphql-ws still does, unchanged: subscribe, the `complete` message when the stream ends (sent
 * after every frame written here, on the same socket), an `error` message if the stream throws, and
 * calling `return()` when the client completes or the socket closes, after which nothing more is
 * written. Backpressure is as before: when `send` waits, the next result is not pulled, so the
 * subscriber's own bounded queue fills and ends it with SLOW_CONSUMER while other subscribers go on.
 */
export function pumpNextFrames(
  results: AsyncIterator<ExecutionResult>,
  target: FrameTarget,
  payloadText: (result: ExecutionResult) => Buffer,
): AsyncIterableIterator<never> {
  const prefix = Buffer.from(`{"id":${JSON.stringify(target.id)},"type":"next","payload":`);
  let stopped = false;
  let settle!: { resolve: () => void; reject: (err: unknown) => void };
  const ended = new Promise<IteratorResult<never>>((resolve, reject) => {
    settle = { resolve: () => resolve({ value: undefined, done: true }), reject };
  });

  const write = (result: ExecutionResult) => {
    const payload = payloadText(result);
    return target.send(Buffer.concat([prefix, payload], prefix.length + payload.length));
  };
  const run = async () => {
    try {
      while (!stopped) {
        const step = await results.next();
        if (step.done || stopped) break;
        let waiting = write(step.value);
        // What else is already queued (the rest of a published batch) goes out without a promise each.
        for (let ready = waiting ? null : tryNext(results); ready && !stopped; ready = waiting ? null : tryNext(results)) {
          waiting = write(ready.value);
        }
        // Nothing more is ready for this socket: send its frames now rather than after every other
        // subscriber's, so the client can read them while the server goes on writing (issue 3).
        target.flush();
        if (waiting) await waiting;
      }
      settle.resolve();
    } catch (err) {
      if (stopped) settle.resolve();
      else settle.reject(err);
    }
  };
  let started = false;

  const stream: AsyncIterableIterator<never> = {
    // Started by graphql-ws's first pull, which comes only once it has registered the operation (a
    // client may complete it while it is being subscribed), so no frame goes out for a dropped id.
    next() {
      if (!started && !stopped) {
        started = true;
        void run();
      }
      return ended;
    },
    return() {
      if (!stopped) {
        stopped = true;
        Promise.resolve(results.return?.()).catch(() => {}); // the stream is being dropped; nothing to report to
      }
      settle.resolve();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}
