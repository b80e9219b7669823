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

async function* endOnError(source: AsyncIterable<unknown>): AsyncGenerator<unknown> {
  try {
    yield* source;
  } catch (error) {
    yield { [STREAM_ERROR]: error } satisfies StreamError;
  }
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
