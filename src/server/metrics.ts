import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics for one app instance (its own registry: two apps in one process, as in the
 * tests, never share counters). Served at GET /metrics.
 */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  graphqlOperations: Counter<'type' | 'transport'>;
  graphqlErrors: Counter<'code'>;
}

export function createMetrics(sources: { wsConnections: () => number; subscriptions: () => number }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gatehouse_', eventLoopMonitoringPrecision: 20 });
  const metrics: Metrics = {
    registry,
    httpRequests: new Counter({
      name: 'gatehouse_http_requests_total',
      help: 'HTTP requests by method, route and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'HTTP request latency (until the response head and body are written; SSE streams excluded).',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    graphqlOperations: new Counter({
      name: 'gatehouse_graphql_operations_total',
      help: 'GraphQL operations by type (query, mutation, subscription) and transport (http, ws).',
      labelNames: ['type', 'transport'],
      registers: [registry],
    }),
    graphqlErrors: new Counter({
      name: 'gatehouse_graphql_errors_total',
      help: 'GraphQL errors returned to clients, by extensions.code.',
      labelNames: ['code'],
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'gatehouse_websocket_connections',
    help: 'Open graphql-ws connections.',
    registers: [registry],
    collect() {
      this.set(sources.wsConnections());
    },
  });
  new Gauge({
    name: 'gatehouse_subscriptions_active',
    help: 'Live subscribers on the event bus (graphql-ws and SSE).',
    registers: [registry],
    collect() {
      this.set(sources.subscriptions());
    },
  });
  return metrics;
}
