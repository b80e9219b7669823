import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Principal } from '../engine/auth/principal.ts';
import type { Context } from '../resolvers/context.ts';
import type { ContextFactory } from './context-factory.ts';
import { useCsrfPrevention } from './envelop/csrf-prevention.ts';
import { useIntrospectionControl } from './envelop/introspection-control.ts';
import { useOperationMetrics } from './envelop/operation-metrics.ts';
import { useResponseFormat, type RequestScope } from './envelop/response-format.ts';
import { useSharedEventResults } from './envelop/shared-event-results.ts';
import { renderBundledGraphiQL } from './graphiql.ts';
import type { Metrics } from './metrics.ts';

/**
 * What the HTTP layer and graphql-ws pass into Yoga for each request or subscription. For
 * graphql-ws the connection has already authenticated, so `wsPrincipal` is set instead of
 * reading a header.
 */
export interface ServerContext extends RequestScope {
  wsPrincipal?: Principal | null;
}

export type GatehouseYoga = YogaServerInstance<ServerContext, Context>;

export function createGatehouseYoga(deps: {
  schema: GraphQLSchema;
  config: Config;
  contexts: ContextFactory;
  metrics: Metrics;
  log: Logger;
  apiVersion: string;
}): GatehouseYoga {
  const { config, log } = deps;
  const limits = config.limits;
  const yogaLog = log.child({ component: 'yoga' });
  return createYoga<ServerContext, Context>({
    schema: deps.schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    healthCheckEndpoint: '/yoga-health-disabled',
    batching: false,
    // The HTTP layer (http-server.ts) enforces limits.bodyBytes before Yoga reads a byte; Yoga's own
    // limit re-wraps every body in a new stream and Request, which cost ~40% of a small query's CPU
    // in bench/http.bench.ts.
    maxRequestBodySize: false,
    maskedErrors: false, // errors are mapped (and masked) by useResponseFormat, with the request id
    cors: config.corsOrigins.length > 0 ? { origin: config.corsOrigins, credentials: false } : false,
    graphiql: config.graphiql ? { title: 'Gatehouse GraphiQL', subscriptionsProtocol: 'SSE' } : false,
    renderGraphiQL: renderBundledGraphiQL,
    logging: {
      debug: (...args) => yogaLog.debug({ args }, 'yoga'),
      info: (...args) => yogaLog.info({ args }, 'yoga'),
      warn: (...args) => yogaLog.warn({ args }, 'yoga'),
      error: (...args) => yogaLog.debug({ args }, 'yoga error (mapped and logged by the response formatter)'),
    },
    context: async (initial) => {
      const principal =
        initial.wsPrincipal !== undefined
          ? initial.wsPrincipal
          : await deps.contexts.authenticate(initial.request.headers.get('authorization'));
      return deps.contexts.create(principal, initial.requestId, initial.wsPrincipal !== undefined ? 'ws' : 'http', initial.request?.signal);
    },
    plugins: [
      useCsrfPrevention(),
      useIntrospectionControl(config.introspection),
      EnvelopArmorPlugin({
        maxDepth: { n: limits.maxDepth },
        maxAliases: { n: limits.maxAliases },
        costLimit: { maxCost: limits.maxCost },
        maxTokens: { n: limits.maxTokens },
        maxDirectives: { n: 50 },
        blockFieldSuggestion: { enabled: !config.introspection },
      }),
      useOperationMetrics(deps.metrics),
      useSharedEventResults(),
      useResponseFormat({
        apiVersion: deps.apiVersion,
        log,
        onErrorCode: (code) => deps.metrics.graphqlErrors.inc({ code }),
      }),
    ],
  });
}
