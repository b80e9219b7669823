import { TRY_NEXT, tryNext, type SyncPullable } from '../engine/events/sync-pull.ts';
import { defaultFieldResolver, type GraphQLFieldConfig, type GraphQLSchema } from 'graphql';

/**
 * A subscription source that throws (a slow consumer, a lost store) would make graphql-js throw out
 * of the response stream, which graphql-ws answers by closing the whole socket (4500) and with it
 * the client's other subscriptions (DESIGN §10). Instead, the failure is delivered as one last
 * event whose `errors` carry the mapped error, and that subscription alone completes.
 */
const STREAM_ERROR = Symbol('gatehouse.streamError');

interface StreamError {
  [STREAM_ERROR]: unknown;
}

function isStreamError(value: unknown): value is StreamError {
  return typeof value === 'object' && value !== null && STREAM_ERROR in value;
}

/**
 * The source's values, then — if it throws — one StreamError value, then the end. A plain iterator
 * rather than an async generator: it sits on every subscription's per-event path, where a
 * generator's `yield*` costs several promises per value (issue 3, fan-out bench), and its `return()`
 * reaches the source at once instead of waiting for the source's next value.
 */
function endOnError(source: AsyncIterable<unknown>): AsyncIterableIterator<unknown> & SyncPullable<unknown> {
  const iterator = source[Symbol.asyncIterator]();
  let failed = false;
  const done = { value: undefined, done: true } as const;
  const toErrorEvent = (error: unknown): IteratorResult<unknown> => {
    failed = true;
    return { value: { [STREAM_ERROR]: error } satisfies StreamError, done: false };
  };
  const stream: AsyncIterableIterator<unknown> & SyncPullable<unknown> = {
    [TRY_NEXT]: () => (failed ? null : tryNext(iterator)),
    next: () => (failed ? Promise.resolve(done) : iterator.next().catch(toErrorEvent)),
    async return() {
      failed = true;
      await iterator.return?.();
      return done;
    },
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}

/** Mutates `schema`: every subscription field ends with an error event instead of throwing. */
export function endStreamsOnError(schema: GraphQLSchema): GraphQLSchema {
  const type = schema.getSubscriptionType();
  if (!type) return schema;
  for (const field of Object.values(type.getFields())) {
    const f = field as unknown as GraphQLFieldConfig<unknown, unknown>;
    const subscribe = f.subscribe;
    const resolve = f.resolve ?? defaultFieldResolver;
    if (!subscribe) continue;
    f.subscribe = async (root, args, ctx, info) => {
      const source = await subscribe(root, args, ctx, info);
      if (source && typeof source === 'object' && Symbol.asyncIterator in source) {
        return endOnError(source as AsyncIterable<unknown>);
      }
      return source;
    };
    f.resolve = (payload, args, ctx, info) => {
      if (isStreamError(payload)) throw payload[STREAM_ERROR];
      return resolve(payload, args, ctx, info);
    };
  }
  return schema;
}
