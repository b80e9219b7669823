import { GraphQLObjectType, GraphQLSchema, GraphQLString, parse, subscribe, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/engine/auth/principal.ts';
import { GatehouseError } from '../../src/engine/errors.ts';
import { createInProcessEventBus } from '../../src/engine/events/event-bus.ts';
import type { Readiness } from '../../src/engine/readiness/readiness.ts';
import { createReadinessRegistry } from '../../src/engine/readiness/readiness-registry.ts';
import type { Context, Topics } from '../../src/resolvers/context.ts';
import { toClientError, toFormattedError } from '../../src/schema/error-mapping.ts';
import { buildSchema } from '../../src/schema/index.ts';
import { endStreamsOnError } from '../../src/schema/stream-errors.ts';

/**
 * A subscription whose source fails (a slow consumer) ends with one last event carrying the mapped
 * error, instead of throwing out of the response stream — which graphql-ws answers by closing the
 * whole socket (DESIGN §10).
 */
type Stream = AsyncGenerator<ExecutionResult>;
const scope = { requestId: 'req-1', logUnexpected: () => {} };

function tinySchema(source: () => AsyncIterable<unknown>) {
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: { ticks: { type: GraphQLString, subscribe: source, resolve: (value: unknown) => String(value) } },
    }),
  });
}

async function* failsAfterOne() {
  yield 'first';
  throw new GatehouseError('SLOW_CONSUMER', 'fell behind', { queueLimit: 2 });
}

describe('endStreamsOnError', () => {
  it('turns a failing source into one final error event, then completes', async () => {
    const schema = endStreamsOnError(tinySchema(failsAfterOne));
    const stream = (await subscribe({ schema, document: parse('subscription { ticks }') })) as Stream;
    expect(await stream.next()).toEqual({ value: { data: { ticks: 'first' } }, done: false });
    const last = await stream.next();
    expect(last.done).toBe(false);
    expect(last.value?.data).toEqual({ ticks: null });
    expect(last.value?.errors).toHaveLength(1);
    expect(toFormattedError(last.value?.errors?.[0], scope)).toEqual({
      message: 'fell behind',
      locations: [{ line: 1, column: 16 }],
      path: ['ticks'],
      extensions: { code: 'SLOW_CONSUMER', details: { queueLimit: 2 } },
    });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('is needed: without it the failure escapes the response stream', async () => {
    const stream = (await subscribe({ schema: tinySchema(failsAfterOne), document: parse('subscription { ticks }') })) as Stream;
    await stream.next();
    await expect(stream.next()).rejects.toMatchObject({ code: 'SLOW_CONSUMER' });
  });
});

describe('a slow subscriber through the real schema', () => {
  const viewer: Principal = { tokenId: 't-1', name: 'viewer', role: 'viewer', agent: null, agentRoles: [] };
  const readinessOf = (state: Readiness['state']): Readiness => ({ state, checkedAt: new Date(), subsystems: [], hints: [] });

  it('gets a final SLOW_CONSUMER error while a subscriber that keeps up goes on receiving', async () => {
    const bus = createInProcessEventBus<Topics>(2); // as with config limits.subscriberQueue: 2
    const readiness = createReadinessRegistry();
    readiness.register({ name: 'database', critical: true, check: () => ({ status: 'UP' }) });
    await readiness.refresh();
    const contextValue = { principal: viewer, bus, readiness, signal: undefined } as unknown as Context;
    const schema = buildSchema();
    const document = parse('subscription { readinessChanged { state } }');
    const slow = (await subscribe({ schema, document, contextValue })) as Stream;
    const fast = (await subscribe({ schema, document, contextValue })) as Stream;
    const state = (r: IteratorResult<ExecutionResult>) => (r.value?.data as { readinessChanged: { state: string } } | null)?.readinessChanged.state;

    expect(state(await slow.next())).toBe('READY');
    expect(state(await fast.next())).toBe('READY');
    expect(bus.subscriberCount()).toBe(2);

    for (const next of ['DEGRADED', 'READY', 'UNAVAILABLE'] as const) {
      bus.publish('readinessChanged', readinessOf(next));
      expect(state(await fast.next())).toBe(next);
    }
    expect(bus.subscriberCount()).toBe(1); // the slow one was dropped when it overflowed

    const last = await slow.next();
    expect(last.done).toBe(false);
    expect(last.value?.data).toBeNull();
    const error = toClientError(last.value?.errors?.[0], scope);
    expect(error.message).toBe(
      "subscriber fell more than 2 messages behind and was closed; resubscribe (with 'after' where the stream supports it) to catch up",
    );
    expect(error.extensions).toEqual({ code: 'SLOW_CONSUMER', details: { queueLimit: 2 } });
    expect(await slow.next()).toEqual({ value: undefined, done: true });

    bus.publish('readinessChanged', readinessOf('READY'));
    expect(state(await fast.next())).toBe('READY');
    await fast.return(undefined);
    expect(bus.subscriberCount()).toBe(0);
  });
});
