import type { Redis } from 'ioredis';
import { formatRequestId, parseRequestId, type RequestIdParts, type RequestIdSource } from '../engine/gateway/request-id.ts';
import { defineRedisScript } from './redis-script.ts';

export interface RedisRequestIdsOptions {
  redis: Redis;
  /** Prepended to every key; instances that must not repeat each other's ids share it. */
  keyPrefix: string;
  /** The greatest id issued before (the audit log's `lastRequestId()` at start-up); null for none. */
  lastIssued?: string | null;
  now?: () => Date;
  /** Lifetime of a second's counter after its last use. */
  counterTtlSeconds?: number;
  /** How long an allocation may wait for Redis before it fails (and the request is refused). */
  timeoutMs?: number;
}

/**
 * One allocation, atomically. The counter of a UTC second is `INCR <prefix>reqid:<second>`, expiring
 * `ttl` seconds after its last use. `<prefix>reqid:floor` holds the greatest second any instance used
 * and never expires. The second used is the greatest of the caller's clock, the floor and the last id
 * the caller knows, so an instance whose clock is behind continues on the floor's second (as the
 * in-process generator does when its own clock steps back) instead of reopening a second whose
 * counter may already have expired. Two repairs keep that promise when counters are gone:
 * - the floor's counter answering 1 means it expired while every clock stayed behind the floor; the
 *   next second is unused by construction (the floor is the greatest used), so the id moves there;
 * - a counter at or below the last id the caller knows means Redis lost its keys (a restart without
 *   persistence); the counter continues after that id.
 * Every id this script returns is greater than every id it returned before, on any instance.
 * KEYS[1] floor key; ARGV: counter key prefix, clock second, known second (-1: none), known counter, ttl.
 */
const ALLOCATE = defineRedisScript(`
local floor = tonumber(redis.call('GET', KEYS[1]) or '-1')
local known = tonumber(ARGV[3])
local second = math.max(tonumber(ARGV[2]), floor, known)
local key = ARGV[1] .. string.format('%d', second)
local counter = redis.call('INCR', key)
if counter == 1 and second == floor then
  redis.call('DEL', key)
  second = floor + 1
  key = ARGV[1] .. string.format('%d', second)
  counter = redis.call('INCR', key)
end
if second == known and counter <= tonumber(ARGV[4]) then
  counter = tonumber(ARGV[4]) + 1
  redis.call('SET', key, counter)
end
redis.call('EXPIRE', key, tonumber(ARGV[5]))
if second > floor then redis.call('SET', KEYS[1], string.format('%d', second)) end
return {second, counter}
`);

/**
 * Request ids shared by every instance on `keyPrefix` (issue 6 §5): the format and rules of
 * request-id.ts (`req_YYYYMMDD_HHMMSS_NNN`, the counter widening past 999 and never wrapping), unique
 * across instances and across their restarts. An allocation Redis does not answer within `timeoutMs`
 * rejects and the gateway refuses the request before recording anything.
 *
 * The keys of one prefix must live on one Redis node (the script builds the counter key's name): a
 * standalone Redis, or a Redis Cluster with a hash tag in the prefix, e.g. `gatehouse:{ids}:`.
 */
export function createRedisRequestIds(options: RedisRequestIdsOptions): RequestIdSource & { next(): Promise<string> } {
  const { redis, keyPrefix } = options;
  const now = options.now ?? (() => new Date());
  const ttl = options.counterTtlSeconds ?? 300;
  const timeoutMs = options.timeoutMs ?? 2000;
  // The greatest id this instance knows was issued: the seed, then every id it was given.
  let known: RequestIdParts = options.lastIssued ? parseRequestId(options.lastIssued) : { second: -1, counter: 0 };
  return {
    async next() {
      const clock = Math.floor(now().getTime() / 1000);
      const args = [`${keyPrefix}reqid:`, clock, known.second, known.counter, ttl];
      const reply = await ALLOCATE.run(redis, [`${keyPrefix}reqid:floor`], args, timeoutMs, 'the shared request id allocator');
      const [second, counter] = reply as [number, number];
      if (second > known.second || (second === known.second && counter > known.counter)) known = { second, counter };
      return formatRequestId({ second, counter });
    },
  };
}
