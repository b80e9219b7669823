import { describe, expect, it, vi } from 'vitest';
import { GatehouseError } from '../../src/engine/errors.ts';
import { checkRequest, type DecisionContext } from '../../src/engine/gateway/decide-request.ts';
import { DEFAULT_GATEWAY_KNOBS } from '../../src/engine/gateway/governance-knobs.ts';
import { createRateBudget, type RateBudget } from '../../src/engine/gateway/rate-budget.ts';
import { createIdempotencyCache } from '../../src/engine/idempotency.ts';
import { AGENT, ORIGIN, PING, PING_POLICY, PING_REQUEST, pingGateway } from './gateway-stand-ins.ts';

/**
 * Issue 6 §5 turns three per-process pieces of gateway state into seams a shared implementation
 * plugs into: the request id source, the rate budget and the idempotency cache. These are the
 * engine-side promises; the Redis implementations are tested in test/scale/gateway-shared-state.test.ts.
 */
const NOW = new Date('2024-05-06T07:08:09Z');

const decide = (budget: RateBudget, overrides: Partial<DecisionContext> = {}) =>
  checkRequest({
    request: PING_REQUEST,
    requestId: 'req_20240506_070809_001',
    principal: AGENT,
    policy: PING_POLICY,
    handlers: new Map([['ping', PING]]),
    projectRoot: '/nonexistent-project-root',
    knobs: { ...DEFAULT_GATEWAY_KNOBS, maxRequestsPerMinute: 3 },
    budget,
    detect: async () => [],
    now: NOW,
    ...overrides,
  });

describe('the in-memory rate budget', () => {
  it('allows `limit` requests in any 60 s per agent, does not count refusals, and frees a slot when one ages out', () => {
    const budget = createRateBudget();
    const t0 = NOW.getTime();
    expect([0, 1, 2, 3].map((i) => budget.take('a', 3, t0 + i))).toEqual([true, true, true, false]);
    expect(budget.take('b', 3, t0 + 4)).toBe(true);
    expect(budget.take('a', 3, t0 + 59_999)).toBe(false);
    expect(budget.take('a', 3, t0 + 60_000)).toBe(true); // the first request left the window
    expect(budget.take('a', 3, t0 + 60_000)).toBe(false);
  });
});

describe('the budget check in the decision pipeline', () => {
  it('awaits a budget that answers with a promise and passes the request id it counts', async () => {
    const take = vi.fn(async () => true);
    const outcome = await decide({ take });
    expect(outcome.denial).toBeNull();
    expect(take).toHaveBeenCalledWith('test-agent', 3, NOW.getTime(), 'req_20240506_070809_001');
  });

  it('denies budget_exceeded when an asynchronous budget says the limit is reached', async () => {
    const outcome = await decide({ take: async () => false });
    expect(outcome.denial).toEqual({ code: 'budget_exceeded', message: 'agent test-agent exceeded 3 requests per minute' });
  });

  it('denies budget_exceeded, naming the outage, when the budget cannot be read, and still runs the later checks', async () => {
    const detect = vi.fn(async () => []);
    const outcome = await decide({ take: async () => Promise.reject(new Error('the shared rate budget of agent test-agent: Redis did not answer within 1000 ms')) }, { detect });
    expect(outcome.denial).toEqual({
      code: 'budget_exceeded',
      message: 'the request budget of agent test-agent could not be checked (the shared rate budget of agent test-agent: Redis did not answer within 1000 ms); denied until it can be',
    });
    expect(outcome.hardDenial).toBeNull();
    expect(detect).toHaveBeenCalledOnce();
  });

  it('treats a budget that throws synchronously like one that rejects', async () => {
    const outcome = await decide({
      take: () => {
        throw new Error('boom');
      },
    });
    expect(outcome.denial?.code).toBe('budget_exceeded');
    expect(outcome.denial?.message).toContain('could not be checked (boom)');
  });

  it('keeps the synchronous in-memory budget: the fourth request in a minute is denied', async () => {
    const budget = createRateBudget();
    const codes = [];
    for (let i = 0; i < 4; i += 1) codes.push((await decide(budget)).denial?.code ?? null);
    expect(codes).toEqual([null, null, null, 'budget_exceeded']);
  });
});

describe('the gateway service and its request id source', () => {
  it('takes ids from a source that answers with a promise', async () => {
    const ids = ['req_20240506_070809_1000', 'req_20240506_070809_1001'];
    const { gateway, requests } = pingGateway({ nextRequestId: async () => ids.shift()! });
    const first = await gateway.submit(PING_REQUEST, AGENT, { origin: ORIGIN });
    const second = await gateway.submit(PING_REQUEST, AGENT, { origin: ORIGIN });
    expect([first.requestId, second.requestId]).toEqual(['req_20240506_070809_1000', 'req_20240506_070809_1001']);
    expect(first.status).toBe('APPROVED');
    expect([...requests.rows.keys()]).toEqual(['req_20240506_070809_1000', 'req_20240506_070809_1001']);
  });

  it('still takes ids from a synchronous source (the embedded default)', async () => {
    const { gateway } = pingGateway();
    expect((await gateway.submit(PING_REQUEST, AGENT, { origin: ORIGIN })).requestId).toBe('req_20240506_070809_001');
  });

  it('refuses the request SERVICE_UNAVAILABLE, recording and running nothing, when no id can be allocated', async () => {
    const execute = vi.fn(PING.execute);
    const onError = vi.fn();
    const { gateway, audit, requests } = pingGateway({
      nextRequestId: () => Promise.reject(new Error('the shared request id allocator: Connection is closed.')),
      handlers: () => new Map([['ping', { ...PING, execute }]]),
      onError,
    });
    const refused = gateway.submit(PING_REQUEST, AGENT, { origin: ORIGIN });
    await expect(refused).rejects.toBeInstanceOf(GatehouseError);
    await expect(refused).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { reason: 'request_ids_unavailable' } });
    await expect(refused).rejects.toThrow('no request id could be allocated (the shared request id allocator: Connection is closed.); nothing was recorded or run, retry');
    expect(audit.entries).toEqual([]);
    expect(requests.rows.size).toBe(0);
    expect(execute).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledOnce();
  });
});

describe('the in-memory idempotency cache', () => {
  const shared = () => ({ reference: vi.fn((v: { id: string }) => v.id), load: vi.fn(async () => null) });

  it('returns the first result, deduplicated, to a repeat and to a concurrent repeat, without using the shared form', async () => {
    const cache = createIdempotencyCache();
    const form = shared();
    let calls = 0;
    const work = async () => ({ id: `r${(calls += 1)}` });
    const [a, b] = await Promise.all([cache.run('s', 'k', work, form), cache.run('s', 'k', work, form)]);
    const c = await cache.run('s', 'k', work, form);
    expect([a, b, c]).toEqual([
      { value: { id: 'r1' }, deduplicated: false },
      { value: { id: 'r1' }, deduplicated: true },
      { value: { id: 'r1' }, deduplicated: true },
    ]);
    expect(calls).toBe(1);
    expect(form.reference).not.toHaveBeenCalled();
    expect(form.load).not.toHaveBeenCalled();
  });

  it('keeps scopes apart, runs calls without a key every time, and forgets failures', async () => {
    const cache = createIdempotencyCache();
    let calls = 0;
    const work = async () => (calls += 1);
    expect((await cache.run('s1', 'k', work)).value).toBe(1);
    expect((await cache.run('s2', 'k', work)).value).toBe(2);
    expect((await cache.run('s1', null, work)).value).toBe(3);
    await expect(cache.run('s3', 'k', async () => Promise.reject(new Error('first failed')))).rejects.toThrow('first failed');
    expect(await cache.run('s3', 'k', work)).toEqual({ value: 4, deduplicated: false });
  });
});
