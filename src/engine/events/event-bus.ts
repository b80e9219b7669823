import { createBoundedQueue } from './bounded-queue.ts';

/**
 * The publish/subscribe facade every capability uses (DESIGN §9). The embedded implementation
 * delivers in-process; a scale-out implementation (Redis) plugs in behind the same interface.
 * `TopicMap` maps a topic name to the payload type published on it.
 */
export interface EventBus<TopicMap extends Record<string, unknown>> {
  publish<K extends keyof TopicMap & string>(topic: K, payload: TopicMap[K]): void;
  /** A stream of the topic's payloads with a bounded queue; ends when `signal` aborts. */
  subscribe<K extends keyof TopicMap & string>(
    topic: K,
    options?: { queueLimit?: number; signal?: AbortSignal },
  ): AsyncIterableIterator<TopicMap[K]>;
  /** Number of live subscribers, for metrics. */
  subscriberCount(): number;
  /** Ends every stream. */
  close(): void;
}

export function createInProcessEventBus<TopicMap extends Record<string, unknown>>(
  defaultQueueLimit: number,
): EventBus<TopicMap> {
  type Sink = { push(value: unknown): boolean; end(): void };
  const topics = new Map<string, Set<Sink>>();
  let count = 0;

  return {
    publish(topic, payload) {
      const sinks = topics.get(topic);
      if (!sinks) return;
      for (const sink of sinks) sink.push(payload);
    },
    subscribe(topic, options = {}) {
      let sinks = topics.get(topic);
      if (!sinks) {
        sinks = new Set();
        topics.set(topic, sinks);
      }
      const set = sinks;
      const queue = createBoundedQueue<never>(options.queueLimit ?? defaultQueueLimit, () => {
        if (set.delete(queue as Sink)) count -= 1;
        if (set.size === 0 && topics.get(topic) === set) topics.delete(topic);
        options.signal?.removeEventListener('abort', onAbort);
      });
      const onAbort = () => void queue.return?.();
      set.add(queue as Sink);
      count += 1;
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
      return queue;
    },
    subscriberCount() {
      return count;
    },
    close() {
      for (const sinks of topics.values()) for (const sink of [...sinks]) sink.end();
    },
  };
}
