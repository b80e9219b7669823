import { mkdir, writeFile, chmod } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createTokenService, type TokenService } from './engine/auth/token-service.ts';
import { createDashboardRegistry } from './engine/dashboard/dashboard.ts';
import { createInProcessEventBus, type EventBus } from './engine/events/event-bus.ts';
import { createRedisEventBus, type RedisEventBus } from './server/redis-event-bus.ts';
import { startCluster } from './capabilities/cluster.ts';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { createReadinessRegistry } from './engine/readiness/readiness-registry.ts';
import { createDatabase, type Database } from './persistence/database.ts';
import { createApiTokenRepository } from './persistence/repositories/api-token-repository.ts';
import type { ServerFacts, Topics } from './resolvers/context.ts';
import { buildSchema } from './schema/index.ts';
import { createContextFactory } from './server/context-factory.ts';
import { attachGraphqlWs, type GraphqlWsServer } from './server/graphql-ws.ts';
import { createHttpHandler } from './server/http-server.ts';
import { createNdjsonIngestRoute } from './server/ndjson-ingest.ts';
import { createLogger } from './server/logger.ts';
import { createMetrics } from './server/metrics.ts';
import { createGatehouseYoga, type GatehouseYoga } from './server/yoga.ts';
import { apiTokenDashboard } from './engine/auth/api-token-dashboard.ts';
import { startTagging } from './capabilities/tagging.ts';
import { startGateway } from './capabilities/gateway.ts';
import { startGovernance } from './capabilities/governance.ts';
import { startOperator } from './capabilities/operator.ts';
import { toGatewayKnobs } from './engine/gateway/governance-knobs.ts';
import { createExportRoute } from './server/export-route.ts';
import { createAgentRoutes } from './server/agent-routes.ts';
import { loadPlugins } from './plugins/load-plugins.ts';
import { createPluginProbe } from './plugins/plugin-probe.ts';
import type { PluginRegistry } from './plugins/plugin-registry.ts';
import { BUILT_IN_SOURCE_KINDS } from './engine/tagging/source-kinds.ts';

/** Version of the GraphQL contract (DESIGN §5); bumped on breaking changes. */
export const API_VERSION = '1.0';
export const ADMIN_TOKEN_FILE = 'admin.token';

export interface StartedApp {
  url: string;
  host: string;
  port: number;
  /** Set on the first start only: the bootstrap admin token, also written to `data/admin.token`. */
  adminToken: { secret: string; file: string } | null;
}

export interface App {
  start(): Promise<StartedApp>;
  /** Graceful: stop accepting, close WebSockets with 1001, finish in-flight requests, close the database. */
  stop(): Promise<void>;
  /** Yoga's fetch, for in-process tests (available after start). */
  fetch(request: Request): Promise<Response>;
  readonly config: Config;
  readonly log: Logger;
  /** Available after start; used by the CLI and tests. */
  tokens(): TokenService;
  /** The operator services (scenarios, runs), available after start; used by `gatehouse replay`. */
  operator(): Pick<Awaited<ReturnType<typeof startOperator>>['shared'], 'runs' | 'scenarios' | 'runStore'>;
}

function readVersion(): string {
  const file = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The composition root: knows every part, and nothing knows it (DESIGN §4). */
export function createApp(config: Config, options: { log?: Logger } = {}): App {
  const log = options.log ?? createLogger(config);
  let db: Database | undefined;
  let tokens: TokenService | undefined;
  let yoga: GatehouseYoga | undefined;
  let httpServer: Server | undefined;
  let ws: GraphqlWsServer | undefined;
  let readinessTimer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  let plugins: PluginRegistry | undefined;
  let tagging: Awaited<ReturnType<typeof startTagging>> | undefined;
  let gatewayCapability: Awaited<ReturnType<typeof startGateway>> | undefined;
  let operator: Awaited<ReturnType<typeof startOperator>> | undefined;
  let serving = false;
  // The embedded default; start() swaps in the Redis bus when REDIS_URL is set (issue #6 §2).
  let bus: EventBus<Topics> = createInProcessEventBus<Topics>(config.limits.subscriberQueue);
  let redisBus: RedisEventBus<Topics> | undefined;
  let redis: Redis | undefined;
  let cluster: ReturnType<typeof startCluster> | undefined;
  const instance = config.instanceId ?? `${hostname()}:${process.pid}`;
  const readiness = createReadinessRegistry();
  const dashboard = createDashboardRegistry();

  const bootstrapAdmin = async (service: TokenService, store: ReturnType<typeof createApiTokenRepository>) => {
    if ((await store.count({ includeRevoked: true })) > 0) return null;
    const { secret } = await service.create({ name: 'bootstrap admin', role: 'admin' }, null);
    const file = path.join(config.dataDir, ADMIN_TOKEN_FILE);
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    log.info({ file }, 'created the bootstrap admin token');
    return { secret, file };
  };

  const refreshReadiness = async () => {
    const { readiness: current, changed } = await readiness.refresh();
    if (changed) bus.publish('readinessChanged', current);
  };

  const app: App = {
    config,
    log,
    tokens() {
      if (!tokens) throw new Error('app not started');
      return tokens;
    },
    operator() {
      if (!operator) throw new Error('app not started');
      return operator.shared;
    },
    async fetch(request) {
      if (!yoga) throw new Error('app not started');
      return yoga.fetch(request, { requestId: request.headers.get('x-request-id') ?? crypto.randomUUID() });
    },
    async start() {
      await mkdir(config.dataDir, { recursive: true });
      if (config.redisUrl) {
        redisBus = await createRedisEventBus<Topics>({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix, defaultQueueLimit: config.limits.subscriberQueue, onError: (err) => log.error({ err }, 'redis event bus') });
        bus = redisBus;
        // Commands (request ids, budgets, idempotency) on their own connection, apart from pub/sub.
        redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, connectionName: `gatehouse:${instance}` });
      }
      const shared = redis ? { redis, keyPrefix: config.redisKeyPrefix } : undefined;
      db = await createDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
      const database = db;
      const applied = await database.migrate();
      if (applied.length > 0) log.info({ migrations: applied }, 'applied database migrations');

      const tokenStore = createApiTokenRepository(() => database.fork());
      tokens = createTokenService(tokenStore);
      const adminToken = await bootstrapAdmin(tokens, tokenStore);

      readiness.register({ name: 'database', critical: true, check: async () => (await database.ping(), { status: 'UP' }) });
      readiness.register({
        name: 'pubsub',
        critical: true,
        check: () => (redisBus ? (redisBus.ready() ? { status: 'UP', reason: 'redis' } : { status: 'DOWN', reason: 'redis is unreachable; reconnecting' }) : { status: 'UP', reason: null }),
      });
      readiness.register({
        name: 'server',
        critical: true,
        check: () => (serving ? { status: 'UP' } : { status: 'DOWN', reason: stopping ? 'shutting down' : 'starting' }),
      });
      dashboard.register(apiTokenDashboard(tokenStore));

      plugins = await loadPlugins({
        pluginDirs: config.pluginDirs,
        packages: config.pluginPackages,
        strict: config.strictPlugins,
        log: log.child({ component: 'plugins' }),
        reservedSourceKinds: BUILT_IN_SOURCE_KINDS.map((k) => k.kind),
      });
      readiness.register(createPluginProbe(plugins));
      // Governance first: the tagger's floor and the gateway's knobs read the current revision (issue #5 §8).
      const governanceCapability = await startGovernance({ config, db: database, bus });
      const { governance } = governanceCapability;
      tagging = await startTagging({ config, db: database, bus, log, readiness, dashboard, plugins, confidenceFloor: () => governance.settings().confidenceFloor, shared });
      const taggingServices = tagging;
      gatewayCapability = await startGateway({ config, db: database, bus, log, readiness, dashboard, plugins, tagging, knobs: () => toGatewayKnobs(governance.settings()), shared });
      const gatewayServices = gatewayCapability;
      const version = readVersion();
      operator = await startOperator({
        config,
        db: database,
        bus,
        log,
        readiness,
        dashboard,
        plugins,
        catalogue: taggingServices.shared.catalogue,
        governance,
        tagging,
        gateway: gatewayServices,
        versions: { gatehouse: version, apiVersion: API_VERSION },
        instance,
        clustered: redisBus !== undefined,
      });
      const operatorServices = operator;
      governanceCapability.usePresets(() => operatorServices.shared.scenarios.presets());
      governanceCapability.useHashes(() => ({ policyHash: gatewayServices.shared.policyView.current()?.hash ?? null, rulePackHash: taggingServices.shared.rules.packHash() }));
      governanceCapability.onChange((revision, previous) => gatewayServices.auditGovernanceChange(revision, previous));
      cluster = startCluster({ instance, startedAt: new Date(), bus, log, readiness, governance, tagging: taggingServices, gateway: gatewayServices, clustered: redisBus !== undefined });
      const clusterServices = cluster;
      governanceCapability.onChange(() => clusterServices.announce('governance'));

      const server: ServerFacts = {
        name: 'gatehouse',
        version,
        apiVersion: API_VERSION,
        mode: config.mode,
        startedAt: new Date(),
        capabilities: [
          'auth.api-tokens',
          'subscriptions.graphql-ws',
          'subscriptions.sse',
          'pagination.relay',
          'tagging.rules',
          'tagging.lifters',
          'ingest.ndjson',
          'attack.navigator-layer',
          'gateway.requests',
          'gateway.approvals',
          'gateway.http-contract',
          'audit.hash-chain',
          'operator.scenarios',
          'operator.runs',
          'operator.governance',
          'operator.export',
          ...(config.graphiql ? ['graphiql'] : []),
        ],
      };
      const contexts = createContextFactory({
        shared: { server, tokens, readiness, dashboard, bus, plugins, ...taggingServices.shared, ...gatewayServices.shared, ...operatorServices.shared },
        perRequest: () => {
          // Forked on first use: most requests (serverInfo, subscriptions' setup) never touch the database.
          let em: ReturnType<Database['fork']> | undefined;
          const lazyEm = () => (em ??= database.fork());
          return { tokenStore: createApiTokenRepository(lazyEm), ...taggingServices.perRequest(lazyEm), ...gatewayServices.perRequest(lazyEm) };
        },
        log,
      });
      const wsConnections = () => ws?.connections() ?? 0;
      const metrics = createMetrics({ wsConnections, subscriptions: () => bus.subscriberCount() });
      yoga = createGatehouseYoga({ schema: buildSchema(), config, contexts, metrics, log, apiVersion: API_VERSION });
      const routes = new Map([
        ['/ingest', createNdjsonIngestRoute({ contexts, ingest: (events) => taggingServices.shared.tagging.ingest(events) })],
        ...createAgentRoutes({ contexts, log }),
        createExportRoute({ contexts, path: (id) => operatorServices.exportPath(id) }),
      ]);
      const handler = createHttpHandler({ yoga, readiness, metrics, bodyLimitBytes: config.limits.bodyBytes, apiVersion: API_VERSION, log, routes });
      httpServer = createServer((req, res) => void handler(req, res));
      httpServer.keepAliveTimeout = 65_000;
      ws = attachGraphqlWs({
        httpServer,
        yoga,
        contexts,
        maxPayloadBytes: config.limits.wsPayloadBytes,
        format: { apiVersion: API_VERSION, log, onErrorCode: (code) => metrics.graphqlErrors.inc({ code }) },
        log,
      });
      const listening = httpServer;
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(config.port, config.host, () => {
          listening.off('error', reject);
          resolve();
        });
      });
      serving = true;
      await refreshReadiness();
      readinessTimer = setInterval(() => void refreshReadiness().catch((err) => log.error({ err }, 'readiness refresh failed')), config.readinessIntervalSeconds * 1000);
      readinessTimer.unref();

      const { port } = listening.address() as AddressInfo;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      const url = `http://${host}:${port}/graphql`;
      log.info({ url, database: database.description, mode: config.mode }, 'gatehouse listening');
      return { url, host: config.host, port, adminToken };
    },
    stop() {
      stopping ??= (async () => {
        serving = false;
        clearInterval(readinessTimer);
        const deadline = setTimeout(() => httpServer?.closeAllConnections(), config.shutdownTimeoutSeconds * 1000);
        deadline.unref();
        const closed = httpServer
          ? new Promise<void>((resolve) => httpServer?.close(() => resolve()))
          : Promise.resolve();
        await ws?.close();
        cluster?.stop();
        bus.close(); // ends SSE and any remaining subscription streams
        httpServer?.closeIdleConnections();
        await closed;
        clearTimeout(deadline);
        await yoga?.dispose();
        await operator?.stop();
        gatewayCapability?.stop();
        tagging?.stop();
        await plugins?.dispose();
        await db?.close();
        await redisBus?.close();
        await redis?.quit().catch(() => undefined);
        log.info('gatehouse stopped');
      })();
      return stopping;
    },
  };
  return app;
}
