import type { Principal } from '../engine/auth/principal.ts';
import type { ApiTokenStore } from '../engine/auth/api-token.ts';
import type { TokenService } from '../engine/auth/token-service.ts';
import type { DashboardRegistry } from '../engine/dashboard/dashboard.ts';
import type { EventBus } from '../engine/events/event-bus.ts';
import type { ReadinessRegistry } from '../engine/readiness/readiness-registry.ts';
import type { Readiness } from '../engine/readiness/readiness.ts';
import type { AttackCatalogue } from '../engine/attack/catalogue.ts';
import type { IdempotencyCache } from '../engine/idempotency.ts';
import type { RuleRegistry, ReloadReport } from '../engine/tagging/rule-registry.ts';
import type { RuleStateChange, RuleStateService } from '../engine/tagging/rule-state-service.ts';
import type { TagStore } from '../engine/tagging/tag-store.ts';
import type { TaggingService, TtpTaggedMessage } from '../engine/tagging/tagging-service.ts';
import type { GatewayRequestRecord } from '../engine/gateway/gateway-request.ts';
import type { GatewayContext, GatewayDecisionMessage } from './gateway/gateway-context.ts';
import type { PluginCatalogue } from './query/plugins.ts';
import type { RunProgressMessage } from '../engine/runs/run-progress.ts';
import type { RunLogEntry } from '../engine/runs/run-log.ts';
import type { GovernanceRevision } from '../engine/governance/governance.ts';
import type { OperatorContext } from './operator/operator-context.ts';
import type { ControlChange, InstanceHeartbeat } from '../engine/cluster/cluster-messages.ts';
import type { RunCommand } from '../engine/runs/run-manager.ts';

/** Payload types of every pub/sub topic. Later capabilities add their topics here. */
export interface Topics extends Record<string, unknown> {
  readinessChanged: Readiness;
  ttpTagged: TtpTaggedMessage;
  ruleStateChanged: RuleStateChange;
  gatewayDecisions: GatewayDecisionMessage;
  approvalRequested: GatewayRequestRecord;
  runProgress: RunProgressMessage;
  runLogs: RunLogEntry;
  governanceChanged: GovernanceRevision;
  controlChanged: ControlChange;
  instanceHeartbeat: InstanceHeartbeat;
  runCommand: RunCommand;
}

/** Facts about the running server, for `serverInfo`. */
export interface ServerFacts {
  name: string;
  version: string;
  apiVersion: string;
  mode: string;
  startedAt: Date;
  capabilities: string[];
}

/** A structured logger (pino-compatible subset) already bound to the request id. */
export interface RequestLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * What every resolver receives. Built once per HTTP request, and once per graphql-ws subscribe;
 * store-backed services in it use a fresh EntityManager fork each time.
 */
export interface Context extends GatewayContext, OperatorContext {
  requestId: string;
  /** How the operation arrived: HTTP (including SSE) or graphql-ws. */
  transport: 'http' | 'ws';
  principal: Principal | null;
  log: RequestLogger;
  server: ServerFacts;
  tokens: TokenService;
  tokenStore: ApiTokenStore;
  readiness: ReadinessRegistry;
  dashboard: DashboardRegistry;
  plugins: PluginCatalogue;
  bus: EventBus<Topics>;
  catalogue: AttackCatalogue;
  rules: RuleRegistry;
  ruleStates: RuleStateService;
  /** Reloads the rule pack and refreshes readiness; the same path the file watcher takes. */
  reloadRules(): Promise<ReloadReport>;
  tagging: TaggingService;
  /** Per request (its own EntityManager fork). */
  tagStore: TagStore;
  idempotency: IdempotencyCache;
  /** Aborted when the request or subscription ends. */
  signal: AbortSignal | undefined;
}
