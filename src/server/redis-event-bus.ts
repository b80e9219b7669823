import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { TypedEvent } from '@graphql-yoga/typed-event-target';
import { Redis } from 'ioredis';
import { createBoundedQueue } from '../engine/events/bounded-queue.ts';
import type { EventBus } from '../engine/events/event-bus.ts';
import { decodeEvent, encodeEvent } from './event-codec.ts';

export interface RedisEventBusOptions {
  /** `redis://[user:password@]host:port[/db]`. */
  url: string;
  /** Prepended to every topic to form the Redis channel; instances that should share events share it. */
  keyPrefix: string;
  /** Per-subscriber queue limit when `subscribe` is not given one. */
  defaultQueueLimit: number;
  /** Connection and publish failures. Never called after `close()`. Defaults to `console.error`. */
  onError?(err: unknown): void;
}

export interface RedisEventBus<TopicMap extends Record<string, unknown>> extends EventBus<TopicMap> {
  /**
   * Redis pub/sub does not buffer: whatever is published while the subscribe connection is down is
   * lost to this instance. When that connection comes back (every `ready` after the first), its
   * channels are subscribed again and only then is every listener called, so anything published from
   * that moment on arrives live. A listener must re-read from the database what its streams may have
   * missed: a stream opened with `after:` re-queries from the last cursor it delivered, and must
   * expect that some of what it re-reads also arrives live (deduplicate by cursor). Returns an
   * unsubscribe function.
   */
  onResync(listener: () => void): () => void;
  /** Both connections are up (for the readiness probe). */
  ready(): boolean;
  /** Ends every stream and closes both connections. */
  close(): Promise<void>;
}

type Sink = { push(value: unknown): boolean; end(): void };
type Listener = (event: TypedEvent<string, unknown>) => void;

/** What the target hands on when a message on one of our channels is not in our wire format. */
const UNDECODABLE = Symbol('undecodable');

/**
 * The scale-out `EventBus` (DESIGN §9, issue 6 §2): Yoga's Redis event target on two ioredis
 * connections (publish, subscribe), channel `${keyPrefix}${topic}`, payloads in the event codec's
 * wire form. A publish reaches every subscriber on every instance sharing the prefix exactly once,
 * this instance included, and only through Redis (no local short cut, so local and remote
 * subscribers see one order). Locally each subscriber has its own bounded queue, exactly as in the
 * in-process bus: a consumer that falls behind is ended alone. Resolves once both connections are
 * ready; rejects (and closes both) if either cannot connect.
 *
 * Two differences from the in-process bus a caller must know. A new subscriber receives what is
 * published once Redis has registered its channel, a round trip later, so a stream with `after:`
 * subscribes first and reads its backlog second. And a publish made while the publish connection is
 * down waits in ioredis's offline queue and goes out on reconnect (or reaches `onError` if ioredis
 * gives up on it); losses on the subscribe side are what `onResync` is for.
 */
export async function createRedisEventBus<TopicMap extends Record<string, unknown>>(
  options: RedisEventBusOptions,
): Promise<RedisEventBus<TopicMap>> {
  const { keyPrefix, defaultQueueLimit } = options;
  const onError = options.onError ?? ((err: unknown) => console.error('redis event bus:', err));
  let closed = false;
  const report = (err: unknown) => {
    if (!closed) onError(err);
  };

  const name = `gatehouse-events:${keyPrefix.replace(/[^\w:.-]/g, '_')}`;
  // The subscribe connection keeps (un)subscribe commands queued across an outage instead of failing
  // them after a number of retries: they are few, and ioredis replays the subscriptions on reconnect.
  const subscribeClient = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: null, connectionName: `${name}sub` });
  const publishClient = new Redis(options.url, { lazyConnect: true, connectionName: `${name}pub` });
  // The event target fires these commands without handling their promises (and so does ioredis's
  // own resubscribe): a refused or aborted command would be an unhandled rejection and end the process.
  reportRejections(publishClient, ['publish'], report);
  reportRejections(subscribeClient, ['subscribe', 'unsubscribe'], report);

  const target = createRedisEventTarget<TypedEvent<string, unknown>>({
    publishClient,
    subscribeClient,
    serializer: {
      stringify: encodeEvent,
      parse(text) {
        try {
          return decodeEvent(text);
        } catch (err) {
          report(err);
          return UNDECODABLE;
        }
      },
    },
  });

  const resyncListeners = new Set<() => void>();
  let wasReady = false;
  subscribeClient.on('ready', () => {
    if (!wasReady) {
      wasReady = true;
      return;
    }
    // 'ready' is emitted on the next tick after ioredis has written the resubscribe commands; a PING
    // behind them on the same connection answers once Redis has processed them all.
    subscribeClient.ping().then(() => {
      if (closed) return;
      for (const listener of [...resyncListeners]) {
        try {
          listener();
        } catch (err) {
          report(err);
        }
      }
    }, report);
  });

  await connectBoth(options.url, publishClient, subscribeClient);
  // Attached only now: a failure to connect at all is the rejection above, not an onError call too.
  for (const client of [publishClient, subscribeClient]) client.on('error', report);

  const channels = new Map<string, { sinks: Set<Sink>; listener: Listener }>();
  let count = 0;

  return {
    publish(topic, payload) {
      if (closed) return;
      try {
        target.dispatchEvent(new CustomEvent(keyPrefix + topic, { detail: payload }));
      } catch (err) {
        report(err); // the payload could not be encoded (a bigint, a cycle)
      }
    },
    subscribe(topic, subscribeOptions = {}) {
      const key = keyPrefix + topic;
      let channel = channels.get(key);
      if (!channel && !closed) {
        const sinks = new Set<Sink>();
        const listener: Listener = (event) => {
          if (event.detail === UNDECODABLE) return;
          for (const sink of sinks) sink.push(event.detail);
        };
        channel = { sinks, listener };
        channels.set(key, channel);
        target.addEventListener(key, listener);
      }
      const entry = channel;
      const queue = createBoundedQueue<TopicMap[typeof topic]>(subscribeOptions.queueLimit ?? defaultQueueLimit, () => {
        subscribeOptions.signal?.removeEventListener('abort', onAbort);
        if (!entry?.sinks.delete(queue as Sink)) return;
        count -= 1;
        if (entry.sinks.size === 0 && channels.get(key) === entry) {
          channels.delete(key);
          target.removeEventListener(key, entry.listener);
        }
      });
      const onAbort = () => void queue.return?.();
      if (!entry) {
        queue.end(); // subscribing to a closed bus yields an ended stream
        return queue;
      }
      entry.sinks.add(queue as Sink);
      count += 1;
      if (subscribeOptions.signal?.aborted) onAbort();
      else subscribeOptions.signal?.addEventListener('abort', onAbort, { once: true });
      return queue;
    },
    subscriberCount() {
      return count;
    },
    onResync(listener) {
      resyncListeners.add(listener);
      return () => void resyncListeners.delete(listener);
    },
    ready() {
      return !closed && publishClient.status === 'ready' && subscribeClient.status === 'ready';
    },
    async close() {
      if (closed) return;
      // Unsubscribe first, then quit: the UNSUBSCRIBEs go out ahead of the QUIT on the same connection.
      for (const [key, channel] of [...channels]) {
        channels.delete(key);
        target.removeEventListener(key, channel.listener);
        for (const sink of [...channel.sinks]) sink.end();
      }
      closed = true;
      resyncListeners.clear();
      await Promise.all([shutdown(publishClient), shutdown(subscribeClient)]);
    },
  };
}

async function connectBoth(url: string, ...clients: Redis[]): Promise<void> {
  let lastError: unknown = null;
  const remember = (err: unknown) => void (lastError = err);
  for (const client of clients) client.on('error', remember);
  try {
    await Promise.all(clients.map((client) => client.connect()));
  } catch (err) {
    // `remember` stays attached: a late error from a client torn down here has nowhere else to go.
    for (const client of clients) client.disconnect();
    const cause = lastError ?? err;
    throw new Error(`redis event bus: cannot connect to ${redactUrl(url)}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  for (const client of clients) client.off('error', remember);
}

async function shutdown(client: Redis): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

function reportRejections(client: Redis, methods: readonly ('publish' | 'subscribe' | 'unsubscribe')[], report: (err: unknown) => void): void {
  for (const method of methods) {
    const original = client[method].bind(client) as (...args: unknown[]) => Promise<unknown>;
    const observed = (...args: unknown[]) => {
      const result = original(...args);
      result.catch(report);
      return result;
    };
    Object.defineProperty(client, method, { value: observed, configurable: true, writable: true });
  }
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}
