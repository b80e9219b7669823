import type { Logger } from 'pino';
import type { ControlChange, ControlKind, InstanceHeartbeat } from '../engine/cluster/cluster-messages.ts';
import { createPeerTracker } from '../engine/cluster/peer-tracker.ts';
import type { EventBus } from '../engine/events/event-bus.ts';
import type { GovernanceService } from '../engine/governance/governance-service.ts';
import type { ReadinessRegistry } from '../engine/readiness/readiness-registry.ts';
import type { Topics } from '../resolvers/context.ts';
import type { startGateway } from './gateway.ts';
import type { startTagging } from './tagging.ts';

export const HEARTBEAT_MS = 2000;

/**
 * Shared control state across instances (issue #6 §3). Rule states, governance and policy reloads
 * are persisted in the database by whichever instance makes them; this announces each change on
 * the bus, and on receipt every other instance re-reads that part from the database, so a change
 * takes effect everywhere within the bus latency (well inside 1 s). Heartbeats carry each
 * instance's hashes; readiness shows a hint while instances differ. With the in-process bus there
 * are no peers and nothing changes.
 */
export function startCluster(deps: {
  instance: string;
  startedAt: Date;
  bus: EventBus<Topics>;
  log: Logger;
  readiness: ReadinessRegistry;
  governance: GovernanceService;
  tagging: Awaited<ReturnType<typeof startTagging>>;
  gateway: Awaited<ReturnType<typeof startGateway>>;
  /** Scale-out (a shared bus): listen, beat and report; otherwise this does nothing at all. */
  clustered: boolean;
}) {
  const log = deps.log.child({ component: 'cluster' });
  const { ruleStates, rules } = deps.tagging.shared;
  const { policyView } = deps.gateway.shared;
  const peers = createPeerTracker({ self: deps.instance, ttlMs: HEARTBEAT_MS * 5 });
  const abort = new AbortController();

  const announce = (kind: ControlKind) => {
    if (deps.clustered) deps.bus.publish('controlChanged', { kind, instance: deps.instance, at: new Date() });
  };
  if (!deps.clustered) return { announce, peers: () => [], stop() {} };
  const reread: Record<ControlKind, () => Promise<unknown>> = {
    governance: () => deps.governance.load(),
    ruleState: () => ruleStates.load(),
    policy: () => policyView.reload(),
  };
  const mine = () => {
    const current = deps.governance.current();
    return { policySetHash: deps.governance.policySetHash(current.settings), rulePackHash: rules.packHash(), policyHash: policyView.current()?.hash ?? null, governanceRevision: current.revision };
  };

  void (async () => {
    for await (const change of deps.bus.subscribe('controlChanged', { signal: abort.signal })) {
      if (change.instance === deps.instance) continue;
      await reread[change.kind]().catch((err) => log.error({ err, kind: change.kind }, 'could not re-read a change made on another instance'));
      log.debug({ kind: change.kind, from: change.instance }, 're-read a change made on another instance');
    }
  })();
  void (async () => {
    for await (const beat of deps.bus.subscribe('instanceHeartbeat', { signal: abort.signal })) peers.observe(beat);
  })();
  const beat = () => deps.bus.publish('instanceHeartbeat', { instance: deps.instance, startedAt: deps.startedAt, at: new Date(), ...mine() } satisfies InstanceHeartbeat);
  const timer = setInterval(beat, HEARTBEAT_MS);
  timer.unref();
  beat();

  // What this instance changes, the others re-read. Expiries happen on every instance's own timer.
  deps.tagging.onRuleStateChange((change) => change.cause !== 'expired' && announce('ruleState'));
  deps.gateway.onPolicyReloaded(() => announce('policy'));

  {
    deps.readiness.register({
      name: 'cluster',
      critical: false,
      check: () => {
        const hints = peers.drift(mine());
        const count = peers.peers().length;
        return hints.length > 0 ? { status: 'DEGRADED', reason: `${hints.length} of ${count} other instance${count === 1 ? '' : 's'} decide differently`, hints } : { status: 'UP', reason: `${count} other instance${count === 1 ? '' : 's'} seen` };
      },
    });
  }

  return {
    /** Governance changes are announced by the caller (it knows when an update was accepted). */
    announce,
    peers: () => peers.peers(),
    stop() {
      clearInterval(timer);
      abort.abort();
    },
  };
}

