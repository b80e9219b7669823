import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { isAsyncIterable } from 'graphql-yoga';
import { GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult, type FormattedExecutionResult } from 'graphql';
import { WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import type { Principal } from '../engine/auth/principal.ts';
import { toFormattedError } from '../schema/error-mapping.ts';
import type { ContextFactory } from './context-factory.ts';
import { errorScope, type ResponseFormatOptions } from './envelop/response-format.ts';
import { bindGraphqlWs } from './graphql-ws-binding.ts';
import { pumpNextFrames, type FrameTarget } from './next-frame-pump.ts';
import type { GatehouseYoga } from './yoga.ts';

/** Keep-alive ping interval; load balancers must allow idle connections longer than this. */
export const WS_KEEP_ALIVE_MS = 12_000;

export interface GraphqlWsServer {
  connections(): number;
  /** Closes every connection with 1001 (going away) and stops accepting new ones. */
  close(): Promise<void>;
}

type Extra = {
  principal?: Principal | null;
  /** Request id of each operation on this connection, so its errors are logged under it. */
  requestIds?: Map<string, string>;
};

const asGraphQLError = (err: unknown) => (err instanceof GraphQLError ? err : new GraphQLError((err as Error)?.message ?? String(err), { originalError: err as Error }));

/**
 * graphql-ws on the same port and path as HTTP (DESIGN §5), executing through Yoga's envelop so
 * both transports share plugins, limits and error mapping. Per DESIGN §10: a document that fails
 * to parse or validate, or a context that throws, is answered with an `error` message for that
 * operation only — the socket and the client's other subscriptions stay up — and `extensions.http`
 * never goes over the socket.
 */
export function attachGraphqlWs(deps: {
  httpServer: Server;
  yoga: GatehouseYoga;
  contexts: ContextFactory;
  maxPayloadBytes: number;
  format: ResponseFormatOptions;
  log: Logger;
}): GraphqlWsServer {
  const wss = new WebSocketServer({ server: deps.httpServer, path: '/graphql', maxPayload: deps.maxPayloadBytes });
  /** Per operation, keyed by its context: the request id its errors are logged under, and where its frames go. */
  const operations = new WeakMap<object, { requestId: string; target: FrameTarget }>();
  const scopeOf = (args: ExecutionArgs) => errorScope(operations.get(args.contextValue as object)?.requestId ?? 'unknown', deps.format);
  const toWire = (result: ExecutionResult, args: ExecutionArgs): FormattedExecutionResult => {
    const scope = result.errors ? scopeOf(args) : null;
    return {
      ...result,
      ...(result.errors && scope ? { errors: result.errors.map((e) => toFormattedError(e, scope)) } : {}),
      extensions: { ...result.extensions, apiVersion: deps.format.apiVersion },
    } as FormattedExecutionResult;
  };
  // Subscribers that share an execution (useSharedEventResults) share its result object, and so its
  // wire text: an error-free result needs no per-subscriber error scope. The text is what follows
  // `"payload":` in a next message, the message's closing brace included (next-frame-pump.ts).
  const sharedPayloads = new WeakMap<ExecutionResult, Buffer>();
  const encode = (result: ExecutionResult, args: ExecutionArgs) => Buffer.from(`${JSON.stringify(toWire(result, args))}}`);
  const payloadText = (args: ExecutionArgs) => (result: ExecutionResult) => {
    if (result.errors) return encode(result, args);
    let text = sharedPayloads.get(result);
    if (text === undefined) sharedPayloads.set(result, (text = encode(result, args)));
    return text;
  };

  const binding = bindGraphqlWs<Record<string, unknown> | undefined, Extra>(
    {
      execute: (args) => (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: async (args) => {
        const results = await (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args);
        const target = operations.get(args.contextValue as object)?.target;
        if (!target || !isAsyncIterable(results)) return results as never;
        return pumpNextFrames((results as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator](), target, payloadText(args));
      },
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const authorization = params.authorization ?? params.Authorization;
        if (authorization === undefined || authorization === null) {
          ctx.extra.principal = null;
          return true;
        }
        try {
          ctx.extra.principal = await deps.contexts.authenticate(String(authorization));
          return true;
        } catch {
          return false; // graphql-ws closes with 4403 Forbidden
        }
      },
      onSubscribe: async (ctx, id, payload) => {
        const principal = ctx.extra.principal;
        if (principal && !(await deps.contexts.isStillValid(principal))) {
          // The token was revoked after connection_init: end the whole connection, as a bad token would.
          ctx.extra.socket.close(4403, 'Forbidden: token revoked');
          return [new GraphQLError('the API token was revoked', { extensions: { code: 'UNAUTHENTICATED', details: { reason: 'token_revoked' } } })];
        }
        const requestId = randomUUID();
        (ctx.extra.requestIds ??= new Map()).set(id, requestId);
        try {
          const enveloped = deps.yoga.getEnveloped({
            requestId,
            wsPrincipal: ctx.extra.principal ?? null,
            params: payload,
          } as never);
          let document: DocumentNode;
          try {
            document = enveloped.parse(payload.query);
          } catch (err) {
            return [asGraphQLError(err)];
          }
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length > 0) return errors;
          const contextValue = await enveloped.contextFactory();
          operations.set(contextValue, { requestId, target: { id, send: ctx.extra.send, flush: ctx.extra.flush } });
          return {
            schema: enveloped.schema,
            document,
            operationName: payload.operationName ?? null,
            variableValues: payload.variables ?? null,
            contextValue,
            rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
          };
        } catch (err) {
          return [asGraphQLError(err)];
        }
      },
      // Single results (queries and mutations over the socket, a subscription refused at subscribe);
      // subscription streams are written by pumpNextFrames with the same toWire.
      onNext: (_ctx, _id, _payload, args, result) => toWire(result, args),
      onError: (ctx, id, _payload, errors) => {
        const scope = errorScope(ctx.extra.requestIds?.get(id) ?? randomUUID(), deps.format);
        ctx.extra.requestIds?.delete(id);
        return errors.map((e) => toFormattedError(e, scope));
      },
      onComplete: (ctx, id) => {
        ctx.extra.requestIds?.delete(id);
      },
    },
    wss,
    WS_KEEP_ALIVE_MS,
    deps.log,
  );

  return {
    connections: () => wss.clients.size,
    async close() {
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      binding.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

