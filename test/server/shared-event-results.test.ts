import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/engine/auth/roles.ts';
import { createInProcessEventBus, type EventBus } from '../../src/engine/events/event-bus.ts';
import { useSharedEventResults } from '../../src/server/envelop/shared-event-results.ts';
import { endStreamsOnError } from '../../src/schema/stream-errors.ts';

/**
 * The fan-out sharing layer (issue 3): subscribers that would get the same answer for the same
 * published event share one execution; anything that could change the answer keeps them apart.
 */
type Topics = { tick: { n: number } };
type Ctx = { bus: EventBus<Topics>; principal: { role: Role; agent: string | null; agentRoles: string[] } | null; transport: 'ws'; requestId: string };
type Stream = AsyncIterableIterator<ExecutionResult>;

function harness(queueLimit = 100) {
  const bus = createInProcessEventBus<Topics>(queueLimit);
  const calls = { resolve: 0 };
  const Tick = new GraphQLObjectType<{ n: number }, Ctx>({
    name: 'Tick',
    fields: {
      n: { type: GraphQLInt },
      role: { type: GraphQLString, resolve: (_t, _a, ctx) => ctx.principal?.role ?? null },
      fragile: {
        type: GraphQLString,
        resolve: (_t, _a, ctx) => {
          if (ctx.requestId === 'breaks') throw new Error('broken for this subscriber only');
          return `ok for ${ctx.requestId}`;
        },
      },
    },
  });
  const schema = endStreamsOnError(
    new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
      subscription: new GraphQLObjectType<unknown, Ctx>({
        name: 'Subscription',
        fields: {
          ticks: {
            type: Tick,
            args: { label: { type: GraphQLString } },
            subscribe: (_r, _a, ctx) => ctx.bus.subscribe('tick'),
            resolve: (tick, args: { label?: string | null }) => {
              calls.resolve += 1;
              const { n } = tick as { n: number };
              return { n: args.label === 'double' ? n * 2 : n };
            },
          },
        },
      }),
    }),
  );
  const yoga = createYoga({ schema, maskedErrors: false, plugins: [useSharedEventResults()] });
  const subscribe = async (query: string, options: { role?: Role; variables?: Record<string, unknown>; requestId?: string } = {}) => {
    const enveloped = yoga.getEnveloped({} as never);
    const contextValue: Ctx = { bus, principal: { role: options.role ?? 'viewer', agent: null, agentRoles: [] }, transport: 'ws', requestId: options.requestId ?? 'req' };
    return (await enveloped.subscribe({ schema, document: parse(query), variableValues: options.variables, contextValue })) as Stream;
  };
  return { bus, calls, subscribe };
}

const data = async (stream: Stream) => (await stream.next()).value?.data as { ticks: Record<string, unknown> | null } | null;

describe('useSharedEventResults', () => {
  it('executes an event once for subscribers with the same document, variables and role, and hands them one result', async () => {
    const h = harness();
    const streams = await Promise.all([1, 2, 3].map(() => h.subscribe('subscription { ticks { n } }')));
    h.bus.publish('tick', { n: 1 });
    const results = await Promise.all(streams.map((s) => s.next()));
    expect(results.map((r) => r.value)).toEqual([1, 2, 3].map(() => ({ data: { ticks: { n: 1 } } })));
    expect(new Set(results.map((r) => r.value)).size).toBe(1);
    expect(h.calls.resolve).toBe(1);
    await Promise.all(streams.map((s) => s.return?.()));
  });

  it('keeps results apart for subscribers whose variables differ', async () => {
    const h = harness();
    const query = 'subscription ($label: String) { ticks(label: $label) { n } }';
    const plain = await h.subscribe(query, { variables: { label: 'plain' } });
    const double = await h.subscribe(query, { variables: { label: 'double' } });
    h.bus.publish('tick', { n: 21 });
    expect(await data(plain)).toEqual({ ticks: { n: 21 } });
    expect(await data(double)).toEqual({ ticks: { n: 42 } });
    expect(h.calls.resolve).toBe(2);
  });

  it('keeps results apart for subscribers whose documents differ only in an inline argument', async () => {
    const h = harness();
    const plain = await h.subscribe('subscription { ticks { n } }');
    const double = await h.subscribe('subscription { ticks(label: "double") { n } }');
    h.bus.publish('tick', { n: 5 });
    expect(await data(plain)).toEqual({ ticks: { n: 5 } });
    expect(await data(double)).toEqual({ ticks: { n: 10 } });
  });

  it('keeps results apart for subscribers with different roles', async () => {
    const h = harness();
    const viewer = await h.subscribe('subscription { ticks { role } }', { role: 'viewer' });
    const admin = await h.subscribe('subscription { ticks { role } }', { role: 'admin' });
    const viewer2 = await h.subscribe('subscription { ticks { role } }', { role: 'viewer' });
    h.bus.publish('tick', { n: 1 });
    expect(await data(viewer)).toEqual({ ticks: { role: 'viewer' } });
    expect(await data(admin)).toEqual({ ticks: { role: 'admin' } });
    expect(await data(viewer2)).toEqual({ ticks: { role: 'viewer' } });
    expect(h.calls.resolve).toBe(2);
  });

  it('never shares a result with errors: the others execute the event under their own context', async () => {
    const h = harness();
    const broken = await h.subscribe('subscription { ticks { fragile } }', { requestId: 'breaks' });
    const healthy = await h.subscribe('subscription { ticks { fragile } }', { requestId: 'fine' });
    h.bus.publish('tick', { n: 1 });
    const first = (await broken.next()).value;
    expect(first?.errors?.[0]?.message).toBe('broken for this subscriber only');
    expect((await healthy.next()).value).toEqual({ data: { ticks: { fragile: 'ok for fine' } } });
  });

  it('shares nothing between distinct events, even with equal contents', async () => {
    const h = harness();
    const a = await h.subscribe('subscription { ticks { n } }');
    const b = await h.subscribe('subscription { ticks { n } }');
    h.bus.publish('tick', { n: 1 });
    h.bus.publish('tick', { n: 1 });
    expect([await data(a), await data(a), await data(b), await data(b)]).toEqual(Array(4).fill({ ticks: { n: 1 } }));
    expect(h.calls.resolve).toBe(2);
  });

  it('fails only the subscriber that falls behind; a sharing neighbour keeps receiving every event', async () => {
    const h = harness(2);
    const slow = await h.subscribe('subscription { ticks { n } }');
    const fast = await h.subscribe('subscription { ticks { n } }');
    const seen: unknown[] = [];
    for (let n = 1; n <= 5; n += 1) {
      const next = fast.next();
      h.bus.publish('tick', { n });
      seen.push((await next).value?.data);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5].map((n) => ({ ticks: { n } })));
    const last = (await slow.next()).value;
    expect((last?.errors?.[0]?.originalError as { code?: string } | undefined)?.code).toBe('SLOW_CONSUMER');
    expect(await slow.next()).toEqual({ value: undefined, done: true });
    await fast.return?.();
    expect(h.bus.subscriberCount()).toBe(0);
  });
});
