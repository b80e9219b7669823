import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkRequest } from '../../src/engine/gateway/decide-request.ts';
import { DEFAULT_GATEWAY_KNOBS } from '../../src/engine/gateway/governance-knobs.ts';
import { compareRequestIds, parseRequestId } from '../../src/engine/gateway/request-id.ts';
import { createRedisIdempotencyCache } from '../../src/server/redis-idempotency.ts';
import { createRedisRateBudget } from '../../src/server/redis-rate-budget.ts';
import { createRedisRequestIds } from '../../src/server/redis-request-ids.ts';
import { AGENT, memoryRequests, ORIGIN, PING, PING_POLICY, PING_REQUEST, pingGateway } from '../gateway/gateway-stand-ins.ts';

/**
 * Gateway state shared between instances through Redis (issue 6 §5): request ids, per-agent rate
 * budgets and idempotency keys. Each "instance" is its own ioredis connection on one key prefix; the
 * prefix is random per run and every key under it is deleted afterwards.
 */
const URL = 'redis://127.0.0.1:6379';
const PREFIX = `gh-test-gw-${randomUUID().slice(0, 8)}:`;
const SECOND = Date.UTC(2024, 4, 6, 7, 8, 9) / 1000;
const at = (second: number, ms = 0) => () => new Date(second * 1000 + ms);

const clients: Redis[] = [];
function connect(): Redis {
  const client = new Redis(URL);
  clients.push(client);
  return client;
}

/** A client for a port nothing listens on: every command waits in ioredis's offline queue. */
async function unreachable(): Promise<Redis> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => 50 });
  client.on('error', () => {}); // refused connections are the point of this client
  clients.push(client);
  return client;
}

let admin: Redis;
beforeAll(() => {
  admin = connect();
});
afterAll(async () => {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    if (keys.length > 0) await admin.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  for (const client of clients) client.disconnect();
});

/** A prefix of its own under PREFIX, so one test's keys never meet another's. */
const scope = () => `${PREFIX}${randomUUID().slice(0, 8)}:`;

describe('shared request ids', () => {
  it('issues 2,000 ids from two allocators in parallel with no duplicate, widening past 999 in one second', async () => {
    const keyPrefix = scope();
    const [a, b] = [createRedisRequestIds({ redis: connect(), keyPrefix, now: at(SECOND) }), createRedisRequestIds({ redis: connect(), keyPrefix, now: at(SECOND, 500) })];
    const [fromA, fromB] = await Promise.all([Promise.all(Array.from({ length: 1000 }, () => a.next())), Promise.all(Array.from({ length: 1000 }, () => b.next()))]);
    const all = [...fromA, ...fromB];
    expect(new Set(all).size).toBe(2000);
    expect(all.map((id) => parseRequestId(id).counter).sort((x, y) => x - y)).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    expect(all).toContain('req_20240506_070809_999');
    expect(all).toContain('req_20240506_070809_1000');
    expect(all).toContain('req_20240506_070809_2000');
    // Each instance's ids increase in the order it asked for them.
    for (const ids of [fromA, fromB]) for (let i = 1; i < ids.length; i += 1) expect(compareRequestIds(ids[i - 1]!, ids[i]!)).toBeLessThan(0);
  });

  it('starts each UTC second at 001 and lets its counter expire, while the floor stays', async () => {
    const keyPrefix = scope();
    const ids = createRedisRequestIds({ redis: connect(), keyPrefix, now: at(SECOND), counterTtlSeconds: 120 });
    expect(await ids.next()).toBe('req_20240506_070809_001');
    const later = createRedisRequestIds({ redis: connect(), keyPrefix, now: at(SECOND + 1) });
    expect(await later.next()).toBe('req_20240506_070810_001');
    const ttl = await admin.ttl(`${keyPrefix}reqid:${SECOND}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(120);
    expect(await admin.get(`${keyPrefix}reqid:floor`)).toBe(String(SECOND + 1));
    expect(await admin.ttl(`${keyPrefix}reqid:floor`)).toBe(-1);
  });

  it('continues on the latest second used when an instance clock is behind, instead of reopening an older second', async () => {
    const keyPrefix = scope();
    const ahead = createRedisRequestIds({ redis: connect(), keyPrefix, now: at(SECOND + 600) });
    const behind = createRedisRequestIds({ redis: connect(), keyPrefix, now: at(SECOND) });
    const first = await ahead.next();
    const second = await behind.next();
    expect([first, second]).toEqual(['req_20240506_071809_001', 'req_20240506_071809_002']);
  });

  it("moves to the next second when the latest second's counter expired while every clock stayed behind", async () => {
    const keyPrefix = scope();
    const ids = createRedisRequestIds({ redis: connect(), keyPrefix, now: at(SECOND) });
    expect(await ids.next()).toBe('req_20240506_070809_001');
    await admin.del(`${keyPrefix}reqid:${SECOND}`); // as if its TTL ran out
    const stuck = createRedisRequestIds({ redis: connect(), keyPrefix, now: at(SECOND - 30) });
    expect(await stuck.next()).toBe('req_20240506_070810_001');
    expect(await stuck.next()).toBe('req_20240506_070810_002');
  });

  it('continues after the last id it was seeded with when Redis lost its keys (a restart without persistence)', async () => {
    const keyPrefix = scope();
    const ids = createRedisRequestIds({ redis: connect(), keyPrefix, now: at(SECOND), lastIssued: 'req_20240506_070809_041' });
    expect(await ids.next()).toBe('req_20240506_070809_042');
    const clockBehind = createRedisRequestIds({ redis: connect(), keyPrefix: scope(), now: at(SECOND - 5), lastIssued: 'req_20240506_070809_1234' });
    expect(await clockBehind.next()).toBe('req_20240506_070809_1235');
  });

  it('rejects, naming the allocator, when Redis does not answer in time', async () => {
    const ids = createRedisRequestIds({ redis: await unreachable(), keyPrefix: scope(), timeoutMs: 200 });
    await expect(ids.next()).rejects.toThrow('the shared request id allocator: Redis did not answer within 200 ms');
  });
});

describe('shared rate budgets', () => {
  it('shares one limit between two instances: exactly 10 of 30 concurrent takes succeed', async () => {
    const keyPrefix = scope();
    const budgets = [createRedisRateBudget({ redis: connect(), keyPrefix }), createRedisRateBudget({ redis: connect(), keyPrefix })];
    const now = SECOND * 1000;
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => budgets[i % 2]!.take('agent-a', 10, now + i, `req-${i}`)));
    expect(results.filter(Boolean)).toHaveLength(10);
    expect(await admin.zcard(`${keyPrefix}budget:agent-a`)).toBe(10); // refusals are not counted
    // Another agent has a budget of its own.
    expect(await budgets[0]!.take('agent-b', 10, now + 30)).toBe(true);
  });

  it('frees a slot when a request leaves the 60 s window, and expires the key a window after its last request', async () => {
    const keyPrefix = scope();
    const budget = createRedisRateBudget({ redis: connect(), keyPrefix });
    const t0 = SECOND * 1000;
    expect([await budget.take('a', 2, t0), await budget.take('a', 2, t0 + 1000), await budget.take('a', 2, t0 + 59_999)]).toEqual([true, true, false]);
    expect(await budget.take('a', 2, t0 + 60_000)).toBe(true);
    const pttl = await admin.pttl(`${keyPrefix}budget:a`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);
  });

  it('counts every request as its own member, even two that carry one id', async () => {
    const keyPrefix = scope();
    const budget = createRedisRateBudget({ redis: connect(), keyPrefix });
    await budget.take('a', 10, SECOND * 1000, 'req-same');
    await budget.take('a', 10, SECOND * 1000, 'req-same');
    expect(await admin.zcard(`${keyPrefix}budget:a`)).toBe(2);
  });

  it('enforces maxRequestsPerMinute across two gateway services: 10 of 16 requests approved, the rest budget_exceeded', async () => {
    const keyPrefix = scope();
    const knobs = () => ({ ...DEFAULT_GATEWAY_KNOBS, maxRequestsPerMinute: 10 });
    let n = 0;
    const nextRequestId = () => `req_20240506_070809_${String((n += 1)).padStart(3, '0')}`;
    const instances = [0, 1].map(() => pingGateway({ knobs, nextRequestId, budget: createRedisRateBudget({ redis: connect(), keyPrefix }) }).gateway);
    const records = await Promise.all(Array.from({ length: 16 }, (_, i) => instances[i % 2]!.submit(PING_REQUEST, AGENT, { origin: ORIGIN })));
    expect(records.filter((r) => r.status === 'APPROVED')).toHaveLength(10);
    expect(records.filter((r) => r.reason?.code === 'budget_exceeded')).toHaveLength(6);
  });

  it('fails closed: when Redis does not answer, the request is denied budget_exceeded with a message naming the outage', async () => {
    const budget = createRedisRateBudget({ redis: await unreachable(), keyPrefix: scope(), timeoutMs: 200 });
    await expect(budget.take('test-agent', 10, Date.now())).rejects.toThrow('the shared rate budget of agent test-agent: Redis did not answer within 200 ms');
    const outcome = await checkRequest({
      request: PING_REQUEST,
      requestId: 'req_20240506_070809_001',
      principal: AGENT,
      policy: PING_POLICY,
      handlers: new Map([['ping', PING]]),
      projectRoot: '/nonexistent-project-root',
      knobs: DEFAULT_GATEWAY_KNOBS,
      budget,
      detect: async () => [],
      now: new Date(),
    });
    expect(outcome.denial).toEqual({
      code: 'budget_exceeded',
      message: 'the request budget of agent test-agent could not be checked (the shared rate budget of agent test-agent: Redis did not answer within 200 ms); denied until it can be',
    });
  });

  it('fails closed on a closed connection too, without waiting for the deadline', async () => {
    const redis = connect();
    await redis.quit();
    const budget = createRedisRateBudget({ redis, keyPrefix: scope(), timeoutMs: 60_000 });
    await expect(budget.take('a', 10, Date.now())).rejects.toThrow(/^the shared rate budget of agent a: Connection is closed/);
  });
});

describe('shared idempotency keys', () => {
  it('returns one request when the same key is submitted through two instances at once', async () => {
    const keyPrefix = scope();
    const store = memoryRequests(); // the shared database
    let n = 0;
    const nextRequestId = () => `req_20240506_070809_${String((n += 1)).padStart(3, '0')}`;
    const instances = [0, 1].map(() => ({
      gateway: pingGateway({ requests: store, nextRequestId }).gateway,
      cache: createRedisIdempotencyCache({ redis: connect(), keyPrefix }),
    }));
    const submitVia = (i: number) => {
      const { gateway, cache } = instances[i]!;
      return cache.run('submitRequest:tok-1', 'key-1', () => gateway.submit(PING_REQUEST, AGENT, { origin: ORIGIN }), { reference: (r) => r.requestId, load: (id) => store.get(id) });
    };
    const results = await Promise.all([submitVia(0), submitVia(1), submitVia(0), submitVia(1)]);
    expect(new Set(results.map((r) => r.value.requestId)).size).toBe(1);
    expect(results.filter((r) => !r.deduplicated)).toHaveLength(1);
    expect(store.rows.size).toBe(1);
    const [only] = store.rows.values();
    expect(results.map((r) => r.value)).toEqual(Array(4).fill(only));
    // Later, from either instance: the stored request, read back from the shared store.
    expect(await submitVia(1)).toEqual({ value: only, deduplicated: true });
    expect(store.rows.size).toBe(1);
  });

  it('keeps an encoded copy, Dates intact, when the caller gives no shared form', async () => {
    const keyPrefix = scope();
    const [a, b] = [createRedisIdempotencyCache({ redis: connect(), keyPrefix }), createRedisIdempotencyCache({ redis: connect(), keyPrefix })];
    const first = await a.run('ingestEvents:tok-1', 'k', async () => ({ accepted: 2, at: new Date('2024-05-06T07:08:09Z') }));
    const repeat = await b.run('ingestEvents:tok-1', 'k', async () => ({ accepted: 99, at: new Date() }));
    expect(first.deduplicated).toBe(false);
    expect(repeat).toEqual({ value: { accepted: 2, at: new Date('2024-05-06T07:08:09Z') }, deduplicated: true });
    expect(repeat.value.at).toBeInstanceOf(Date);
    // Another caller (scope) with the same key is not deduplicated.
    expect((await b.run('ingestEvents:tok-2', 'k', async () => ({ accepted: 3, at: new Date() }))).deduplicated).toBe(false);
  });

  it('forgets a failed first call: a repeat waiting for it runs itself, and so does a later retry', async () => {
    const keyPrefix = scope();
    const [a, b] = [createRedisIdempotencyCache({ redis: connect(), keyPrefix }), createRedisIdempotencyCache({ redis: connect(), keyPrefix })];
    let release!: () => void;
    const failing = a.run('s', 'k', () => new Promise<number>((_, reject) => (release = () => reject(new Error('first failed')))));
    await vi.waitFor(async () => expect(await admin.keys(`${keyPrefix}idem:*`)).toHaveLength(1));
    const waiting = b.run('s', 'k', async () => 2);
    release();
    await expect(failing).rejects.toThrow('first failed');
    expect(await waiting).toEqual({ value: 2, deduplicated: false });
    expect(await a.run('s', 'k', async () => 3)).toEqual({ value: 2, deduplicated: true });
  });

  it('takes over a key whose owner died, once its lease runs out', async () => {
    const keyPrefix = scope();
    const deadRedis = connect();
    const dead = createRedisIdempotencyCache({ redis: deadRedis, keyPrefix, leaseMs: 300, timeoutMs: 100 });
    let end!: () => void;
    const abandoned = dead.run('s', 'k', () => new Promise<number>((resolve) => (end = () => resolve(0))));
    await vi.waitFor(async () => expect(await admin.keys(`${keyPrefix}idem:*`)).toHaveLength(1));
    deadRedis.disconnect(); // the owner's instance is gone: nothing renews its lease
    const live = createRedisIdempotencyCache({ redis: connect(), keyPrefix, leaseMs: 300 });
    expect(await live.run('s', 'k', async () => 7)).toEqual({ value: 7, deduplicated: false });
    end();
    await abandoned;
  });

  it('renews the lease of a first call that runs longer than the lease, so a repeat waits for it', async () => {
    const keyPrefix = scope();
    const [a, b] = [createRedisIdempotencyCache({ redis: connect(), keyPrefix, leaseMs: 150 }), createRedisIdempotencyCache({ redis: connect(), keyPrefix, leaseMs: 150 })];
    const slow = a.run('s', 'k', () => new Promise<string>((resolve) => setTimeout(() => resolve('slow'), 600)));
    await vi.waitFor(async () => expect(await admin.keys(`${keyPrefix}idem:*`)).toHaveLength(1));
    const repeat = b.run('s', 'k', async () => 'duplicate');
    expect(await slow).toEqual({ value: 'slow', deduplicated: false });
    expect(await repeat).toEqual({ value: 'slow', deduplicated: true });
  });

  it('refuses a repeat SERVICE_UNAVAILABLE when the first is still running after waitMs', async () => {
    const keyPrefix = scope();
    const [a, b] = [createRedisIdempotencyCache({ redis: connect(), keyPrefix }), createRedisIdempotencyCache({ redis: connect(), keyPrefix, waitMs: 200 })];
    let finish!: (v: number) => void;
    const first = a.run('s', 'k', () => new Promise<number>((resolve) => (finish = resolve)));
    await vi.waitFor(async () => expect(await admin.keys(`${keyPrefix}idem:*`)).toHaveLength(1));
    await expect(b.run('s', 'k', async () => 2)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { reason: 'idempotency_key_in_progress' } });
    finish(1);
    expect(await first).toEqual({ value: 1, deduplicated: false });
  });

  it('fails closed: with Redis unreachable a call with a key is refused and does not run; one without a key runs', async () => {
    const cache = createRedisIdempotencyCache({ redis: await unreachable(), keyPrefix: scope(), timeoutMs: 200 });
    const work = vi.fn(async () => 1);
    await expect(cache.run('s', 'k', work)).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { reason: 'idempotency_unavailable' },
      message: 'the shared idempotency store could not be reached (the shared idempotency store: Redis did not answer within 200 ms); nothing was run, retry',
    });
    expect(work).not.toHaveBeenCalled();
    expect(await cache.run('s', null, work)).toEqual({ value: 1, deduplicated: false });
  });
});
