import { mkdir, realpath } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { DashboardRegistry } from '../engine/dashboard/dashboard.ts';
import type { EventBus } from '../engine/events/event-bus.ts';
import { toAuditKey } from '../engine/gateway/audit-hash.ts';
import { createGatewayService } from '../engine/gateway/gateway-service.ts';
import type { GatewayKnobs } from '../engine/gateway/governance-knobs.ts';
import type { GovernanceRevision } from '../engine/governance/governance.ts';
import type { Policy } from '../engine/gateway/policy.ts';
import type { PluginEvent } from '../plugins/api.ts';
import type { Tag } from '../engine/tagging/tag.ts';
import { createPolicyHolder } from '../engine/gateway/load-policy.ts';
import { formatPolicyProblem } from '../engine/gateway/policy-problem.ts';
import { createRateBudget } from '../engine/gateway/rate-budget.ts';
import { createRequestIdGenerator } from '../engine/gateway/request-id.ts';
import type { Redis } from 'ioredis';
import { createRedisRateBudget } from '../server/redis-rate-budget.ts';
import { createRedisRequestIds } from '../server/redis-request-ids.ts';
import type { ReadinessRegistry } from '../engine/readiness/readiness-registry.ts';
import type { Database } from '../persistence/database.ts';
import { createAuditRepository } from '../persistence/repositories/audit-repository.ts';
import { createGatewayJournal } from '../persistence/repositories/gateway-journal-repository.ts';
import { createGatewayRequestRepository } from '../persistence/repositories/gateway-request-repository.ts';
import type { ActionHandlerDefinition } from '../plugins/api.ts';
import type { PluginRegistry } from '../plugins/plugin-registry.ts';
import type { Topics } from '../resolvers/context.ts';
import type { PolicyView } from '../resolvers/gateway/gateway-context.ts';
import { createEventRecorder } from './event-recorder.ts';
import { gatewayDashboard, gatewayProbe } from './gateway-status.ts';
import type { startTagging } from './tagging.ts';

/**
 * Composes the policy gateway (issue #4): project root, audit log (verified at start-up), request ids
 * continuing after the last one issued, the policy with hot reload, action handlers from plugins, the
 * decision service, approval expiry, crash recovery, probes and dashboard.
 */
export async function startGateway(deps: {
  config: Config;
  db: Database;
  bus: EventBus<Topics>;
  log: Logger;
  readiness: ReadinessRegistry;
  dashboard: DashboardRegistry;
  plugins: PluginRegistry;
  tagging: Awaited<ReturnType<typeof startTagging>>;
  /** The current governance, as the gateway reads it (issue #5 §8). */
  knobs: () => GatewayKnobs;
  /** Scale-out (issue #6 §5): request ids and per-agent budgets shared through Redis. */
  shared?: { redis: Redis; keyPrefix: string };
}) {
  const { config, db, bus, log } = deps;
  await mkdir(config.projectRoot, { recursive: true });
  const projectRoot = await realpath(config.projectRoot);
  const gatewayLog = log.child({ component: 'gateway' });
  const audit = createAuditRepository(() => db.fork(), { key: toAuditKey(config.auditKey), log: gatewayLog });
  let chain = await audit.verify();
  if (!chain.ok) gatewayLog.error({ firstBrokenAt: chain.firstBrokenAt, reason: chain.reason }, 'the audit chain does not verify');
  const lastIssued = await audit.lastRequestId();
  const ids = deps.shared ? createRedisRequestIds({ redis: deps.shared.redis, keyPrefix: deps.shared.keyPrefix, lastIssued }) : createRequestIdGenerator({ lastIssued });
  const requests = createGatewayRequestRepository(() => db.fork());
  const journal = createGatewayJournal(audit);
  const knobs = deps.knobs;

  const system = { tokenId: null, tokenName: null, transport: 'system' as const };
  const reloadListeners: (() => void)[] = [];
  const holder = createPolicyHolder({
    dir: config.policyDir,
    log: gatewayLog,
    onReload: (result) => {
      if (result.ok && result.changed) for (const listener of reloadListeners) listener();
      const details = result.ok ? { policyHash: result.policy.hash, files: result.policy.files, changed: result.changed } : { problems: result.error.problems.map(formatPolicyProblem) };
      void audit
        .append({ kind: 'policy_reloaded', requestId: null, agent: null, role: null, specId: null, action: null, decision: result.ok ? 'LOADED' : 'REFUSED', reasonCode: null, details, origin: system, dryRun: false, runId: null })
        .catch((err) => gatewayLog.error({ err }, 'could not audit a policy reload'));
      // The gateway readiness probe reports reload failures: tell subscribers now, not at the next tick.
      void deps.readiness
        .refresh()
        .then(({ readiness, changed }) => changed && bus.publish('readinessChanged', readiness))
        .catch((err) => gatewayLog.error({ err }, 'readiness refresh failed'));
    },
  });
  await holder.reload();
  const stopWatching = config.watchRules ? holder.watch() : () => {};
  const policyView: PolicyView = {
    current: () => holder.current(),
    lastError: () => {
      const e = holder.lastError();
      return e ? { message: e.message, problems: e.problems.map(formatPolicyProblem) } : null;
    },
    async reload() {
      const result = await holder.reload();
      return { ok: result.ok, policy: holder.current(), problems: result.ok ? [] : result.error.problems.map(formatPolicyProblem) };
    },
  };

  const handlers = () => {
    const map = new Map<string, ActionHandlerDefinition<unknown>>();
    for (const h of deps.plugins.actions()) for (const name of [h.action, ...(h.aliases ?? [])]) map.set(name, h);
    return map;
  };
  const { rules, tagging } = deps.tagging.shared;
  const liveEvents = createEventRecorder((inputs, runId) => tagging.ingest(inputs, { runId }));
  const gateway = createGatewayService({
    journal,
    requests,
    nextRequestId: () => ids.next(),
    policy: () => holder.current(),
    handlers,
    projectRoot,
    knobs,
    budget: deps.shared ? createRedisRateBudget({ redis: deps.shared.redis, keyPrefix: deps.shared.keyPrefix }) : createRateBudget(),
    detect: (event) => rules.engine().evaluate(event),
    recordEvent: (event, runId) => liveEvents.record(event, runId),
    publishDecision: (record) => bus.publish('gatewayDecisions', { seq: record.auditSeq ?? 0, request: record }),
    publishApprovalRequested: (record) => bus.publish('approvalRequested', record),
    maxContentBytes: 1024 * 1024,
    onError: (err, context) => gatewayLog.error({ err }, context),
  });

  // A request left `running` by a crash says so; pending approvals expire on time.
  for (const record of await requests.running()) {
    record.execution = 'interrupted';
    await requests.update(record);
    gatewayLog.warn({ requestId: record.requestId }, 'request was running when the server stopped; marked interrupted');
  }
  const expiry = setInterval(() => {
    void requests
      .pending()
      .then(async (pending) => {
        for (const record of pending) if (record.expiresAt && record.expiresAt.getTime() <= Date.now()) await gateway.expire(record);
      })
      .catch((err) => gatewayLog.error({ err }, 'approval expiry failed'));
  }, 1000);
  expiry.unref();

  // Rule state changes are operator decisions too: they go into the same chain (issue #4 §6).
  deps.tagging.onRuleStateChange((change) => {
    void audit
      .append({
        kind: 'rule_state_changed',
        requestId: null,
        agent: null,
        role: null,
        specId: null,
        action: null,
        decision: change.effective.state.toUpperCase(),
        reasonCode: change.cause,
        details: { ruleId: change.ruleId, stored: change.stored, effective: change.effective },
        origin: { tokenId: null, tokenName: change.stored?.setBy ?? null, transport: 'system' },
        dryRun: false,
        runId: null,
      })
      .catch((err) => gatewayLog.error({ err, ruleId: change.ruleId }, 'could not audit a rule state change'));
  });

  deps.readiness.register(gatewayProbe(policyView, () => chain));
  deps.dashboard.register(gatewayDashboard(requests));

  /**
   * A gateway for one replay run (issue #5 §4): the same pipeline and audit chain, with the run's
   * frozen policy and governance, its own rate budget on the virtual clock, its own detection engine,
   * and nothing published to live streams. The caller submits with `dryRun` and the run id.
   */
  const createRunGateway = (run: { policy: Policy | null; knobs: GatewayKnobs; detect(event: PluginEvent): Promise<Tag[]>; recordEvent(event: PluginEvent, runId: string | null): Promise<string[]>; now(): Date }) =>
    createGatewayService({
      journal,
      requests,
      nextRequestId: () => ids.next(),
      policy: () => run.policy,
      handlers,
      projectRoot,
      knobs: () => run.knobs,
      budget: createRateBudget(),
      detect: run.detect,
      recordEvent: run.recordEvent,
      publishDecision: () => {},
      publishApprovalRequested: () => {},
      maxContentBytes: 1024 * 1024,
      now: run.now,
      onError: (err, context) => gatewayLog.error({ err }, context),
    });

  /** Governance changes go into the same chain as every other operator decision (issue #5 §8). */
  const auditGovernanceChange = (revision: GovernanceRevision, previous: GovernanceRevision) => {
    void audit
      .append({
        kind: 'governance_changed',
        requestId: null,
        agent: null,
        role: null,
        specId: null,
        action: null,
        decision: `REVISION_${revision.revision}`,
        reasonCode: null,
        details: { revision: revision.revision, previousRevision: previous.revision, change: revision.change, settings: revision.settings, reason: revision.reason },
        origin: { tokenId: null, tokenName: revision.updatedBy, transport: 'system' },
        dryRun: false,
        runId: null,
      })
      .catch((err) => gatewayLog.error({ err, revision: revision.revision }, 'could not audit a governance change'));
  };

  return {
    createRunGateway,
    auditGovernanceChange,
    /** Called after a reload that changed the running policy (the cluster announces it). */
    onPolicyReloaded(listener: () => void) {
      reloadListeners.push(listener);
    },
    shared: { gateway, audit, policyView, gatewayKnobs: knobs, projectRoot },
    perRequest: (em: () => ReturnType<Database['fork']>) => ({ gatewayRequests: createGatewayRequestRepository(em) }),
    async reverify() {
      chain = await audit.verify();
      return chain;
    },
    stop() {
      stopWatching();
      clearInterval(expiry);
    },
  };
}
