import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Shared plumbing of the Redis-backed gateway state (issue 6 §5): Lua scripts run by digest, and a
 * deadline on every command so that an unreachable Redis is an answer within a bounded time. ioredis
 * queues commands while it reconnects and fails them only after many retries; the gateway must
 * decide (and fail closed) long before that.
 */
export interface RedisScript {
  /** Runs the script atomically on `redis`; rejects after `timeoutMs` naming `what`. */
  run(redis: Redis, keys: readonly string[], args: readonly (string | number)[], timeoutMs: number, what: string): Promise<unknown>;
}

/**
 * A Lua script loaded once per connection (SCRIPT LOAD) and then run by digest (EVALSHA). Calls made
 * while it loads wait for the load and then go out in the order they were made.
 */
export function defineRedisScript(lua: string): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  const loaded = new WeakMap<Redis, Promise<unknown>>();
  const call = async (redis: Redis, keys: readonly string[], args: readonly (string | number)[]) => {
    let load = loaded.get(redis);
    if (!load) {
      const loading = redis.script('LOAD', lua);
      loaded.set(redis, loading);
      // A load that failed (Redis unreachable) is tried again by the next call; this one fails.
      loading.catch(() => loaded.get(redis) === loading && loaded.delete(redis));
      load = loading;
    }
    try {
      await load;
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      // A Redis that restarted or flushed its script cache answers NOSCRIPT; EVAL loads it again.
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
  };
  return {
    run: (redis, keys, args, timeoutMs, what) => withDeadline(call(redis, keys, args), timeoutMs, what),
  };
}

/**
 * Settles like `promise`, or rejects after `ms` with a message naming `what`. The command may still
 * reach Redis later; every caller is written so that a late write errs on the safe side.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise.catch((err: unknown) => Promise.reject(new Error(`${what}: ${(err as Error).message}`, { cause: err }))), deadline]).finally(() => clearTimeout(timer));
}
