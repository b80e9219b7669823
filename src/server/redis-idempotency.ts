import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { GatehouseError } from '../engine/errors.ts';
import type { IdempotencyCache, SharedResult } from '../engine/idempotency.ts';
import { decodeEvent, encodeEvent } from './event-codec.ts';
import { defineRedisScript, withDeadline } from './redis-script.ts';

export interface RedisIdempotencyOptions {
  redis: Redis;
  /** Prepended to every key; instances that must honour each other's keys share it. */
  keyPrefix: string;
  /** How long a finished result is remembered (the in-memory cache's default: a day). */
  ttlMs?: number;
  /** How long a running first call holds its key without renewing it (it renews at a third of this). */
  leaseMs?: number;
  /** How long a repeat waits for a first call still running elsewhere before it gives up. */
  waitMs?: number;
  /** Deadline of each Redis command. */
  timeoutMs?: number;
  /** Failures after the first call's work ran (its result could not be stored or its lease renewed). */
  onError?(err: unknown, context: string): void;
}

/**
 * A key's value: `running:<owner>` while the first call works, then `ref:<reference>` (the result is
 * read back from shared storage, see `SharedResult`) or `value:<encoded result>`.
 */
const RUNNING = 'running:';
const REF = 'ref:';
const VALUE = 'value:';

/** Replaces (or deletes, with an empty value) the key only while `owner` still holds it. */
const SETTLE = defineRedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
`);
const RENEW = defineRedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`);

const unavailable = (err: unknown) =>
  new GatehouseError('SERVICE_UNAVAILABLE', `the shared idempotency store could not be reached (${(err as Error).message}); nothing was run, retry`, { reason: 'idempotency_unavailable' });

/**
 * Idempotency keys shared by every instance on `keyPrefix` (issue 6 §5), with the promises of the
 * in-memory cache (src/engine/idempotency.ts). The first call takes the key with `SET NX` and a lease
 * it renews while its work runs, so a crashed instance frees the key within `leaseMs`; when the work
 * succeeds the key holds its result for `ttlMs`, when it fails the key is deleted (a retry runs
 * again). A repeat on any instance waits for a running first call (polling, up to `waitMs`) and
 * returns its result, deduplicated; if the first call failed or its instance died, the repeat takes
 * the key and runs itself.
 *
 * Fail-closed: when Redis cannot be reached, a call with a key is refused (`SERVICE_UNAVAILABLE`,
 * reason `idempotency_unavailable`) and nothing runs, because running it could repeat an action the
 * key exists to run once. If Redis fails only after the work ran, the caller still gets its result
 * and `onError` hears of it; the key then frees when the lease runs out.
 */
export function createRedisIdempotencyCache(options: RedisIdempotencyOptions): IdempotencyCache {
  const { redis, keyPrefix } = options;
  const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
  const leaseMs = options.leaseMs ?? 15_000;
  const waitMs = options.waitMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 1000;
  const onError = options.onError ?? (() => {});
  const WHAT = 'the shared idempotency store';

  // Scope and key are caller text of any length: a digest keeps the Redis key short and safe.
  const keyOf = (scope: string, key: string) => `${keyPrefix}idem:${createHash('sha256').update(`${scope}\u0000${key}`).digest('hex')}`;

  async function runAsFirst<T>(redisKey: string, owner: string, work: () => Promise<T>, shared: SharedResult<T> | undefined): Promise<T> {
    const renew = setInterval(() => {
      RENEW.run(redis, [redisKey], [owner, leaseMs], timeoutMs, WHAT).catch((err: unknown) => onError(err, `renewing the idempotency lease ${redisKey}`));
    }, Math.max(1, Math.floor(leaseMs / 3)));
    renew.unref();
    let value: T;
    try {
      value = await work();
    } catch (err) {
      clearInterval(renew);
      await SETTLE.run(redis, [redisKey], [owner, '', 0], timeoutMs, WHAT).catch((e: unknown) => onError(e, `releasing the idempotency key ${redisKey} after a failure`));
      throw err;
    }
    clearInterval(renew);
    try {
      const stored = shared ? `${REF}${shared.reference(value)}` : `${VALUE}${encodeEvent(value)}`;
      await SETTLE.run(redis, [redisKey], [owner, stored, ttlMs], timeoutMs, WHAT);
    } catch (err) {
      onError(err, `storing the result under the idempotency key ${redisKey}`);
    }
    return value;
  }

  /** The finished first result, or null when the stored reference no longer loads. */
  async function readResult<T>(stored: string, shared: SharedResult<T> | undefined): Promise<{ found: true; value: T } | { found: false }> {
    if (stored.startsWith(VALUE)) return { found: true, value: decodeEvent(stored.slice(VALUE.length)) as T };
    if (!shared) throw new Error(`idempotency key holds a reference (${stored}) but the caller gave no way to load it`);
    const value = await shared.load(stored.slice(REF.length));
    return value === null ? { found: false } : { found: true, value };
  }

  return {
    async run(scope, key, work, shared) {
      if (!key) return { value: await work(), deduplicated: false };
      const redisKey = keyOf(scope, key);
      const owner = `${RUNNING}${randomUUID()}`;
      const giveUpAt = Date.now() + waitMs;
      for (let attempt = 0; ; attempt += 1) {
        let stored: string | null;
        try {
          const taken = await withDeadline(redis.set(redisKey, owner, 'PX', leaseMs, 'NX'), timeoutMs, WHAT);
          if (taken === 'OK') return { value: await runAsFirst(redisKey, owner, work, shared), deduplicated: false };
          stored = await withDeadline(redis.get(redisKey), timeoutMs, WHAT);
        } catch (err) {
          throw unavailable(err);
        }
        if (stored !== null && !stored.startsWith(RUNNING)) {
          const result = await readResult(stored, shared);
          if (result.found) return { value: result.value, deduplicated: true };
          // The remembered result is gone from storage (e.g. removed by retention): forget the key too.
          await SETTLE.run(redis, [redisKey], [stored, '', 0], timeoutMs, WHAT).catch((err: unknown) => {
            throw unavailable(err);
          });
          continue;
        }
        if (Date.now() >= giveUpAt) {
          throw new GatehouseError('SERVICE_UNAVAILABLE', `the first request with this idempotency key is still running (waited ${waitMs} ms); retry later`, { reason: 'idempotency_key_in_progress' });
        }
        // null: the key was freed between SET and GET; take it on the next turn without waiting.
        if (stored !== null) await sleep(Math.min(250, 10 * 2 ** Math.min(attempt, 5)));
      }
    },
  };
}
