import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RateBudget } from '../engine/gateway/rate-budget.ts';
import { defineRedisScript } from './redis-script.ts';

export interface RedisRateBudgetOptions {
  redis: Redis;
  /** Prepended to every key; instances that share budgets share it. */
  keyPrefix: string;
  /** Length of the sliding window; the governance budget is per minute. */
  windowMs?: number;
  /** How long a check may wait for Redis before it counts as unanswered (and the request is denied). */
  timeoutMs?: number;
}

/**
 * One sorted set per agent (`<prefix>budget:<agent>`), a member per counted request scored by its
 * time. Drop what left the window, count, and add only when under the limit, all in one script so
 * that concurrent takes on any number of instances cannot overshoot; a request over the limit adds
 * nothing, as in the in-memory budget. The key expires a window after its last counted request.
 */
const TAKE = defineRedisScript(`
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return 1
`);

/**
 * The per-agent request budget shared by every instance on `keyPrefix` (issue 6 §5). The window is
 * measured with the `now` each instance passes, so instance clocks should agree (NTP); a skew of
 * s seconds moves that instance's window edge by s. A take that Redis does not answer in
 * `timeoutMs` rejects, and the decision pipeline denies the request `budget_exceeded` naming the
 * outage; if the late command still lands it counts a request that was denied, which errs closed.
 */
export function createRedisRateBudget(options: RedisRateBudgetOptions): RateBudget {
  const { redis, keyPrefix } = options;
  const windowMs = options.windowMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 1000;
  return {
    async take(agent, limit, now, requestId) {
      // Unique per request even if two requests ever carried one id: a shared member would count once.
      const member = `${requestId ?? 'request'}:${randomUUID()}`;
      const within = await TAKE.run(redis, [`${keyPrefix}budget:${agent}`], [now, windowMs, limit, member], timeoutMs, `the shared rate budget of agent ${agent}`);
      return within === 1;
    },
  };
}
