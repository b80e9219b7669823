import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { GraphQLError, type DocumentNode, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import type { Principal } from '../engine/auth/principal.ts';
import { toFormattedError } from '../schema/error-mapping.ts';
import type { ContextFactory } from './context-factory.ts';
import { errorScope, type ResponseFormatOptions } from './envelop/response-format.ts';
import type { GatehouseYoga } from './yoga.ts';

/** Keep-alive ping interval; load balancers must allow idle connections longer than this. */
export const WS_KEEP_ALIVE_MS = 12_000;

export interface GraphqlWsServer {
  connections(): number;
  /** Closes every connection with 1001 (going away) and stops accepting new ones. */
  close(): Promise<void>;
}

type Extra = Record<PropertyKey, unknown> & {
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
  const scopes = new WeakMap<object, string>();
  const scopeOf = (args: ExecutionArgs) => errorScope(scopes.get(args.contextValue as object) ?? 'unknown', deps.format);

  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      execute: (args) => (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
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
          scopes.set(contextValue, requestId);
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
      onNext: (_ctx, _id, _payload, args, result) => {
        const scope = scopeOf(args);
        return {
          ...result,
          ...(result.errors ? { errors: result.errors.map((e) => toFormattedError(e, scope)) } : {}),
          extensions: { ...result.extensions, apiVersion: deps.format.apiVersion },
        };
      },
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
  );

  return {
    connections: () => wss.clients.size,
    async close() {
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

