import type { ReadinessHint } from '../readiness/readiness.ts';
import type { InstanceHeartbeat } from './cluster-messages.ts';

/**
 * The other instances this one has heard from recently, and whether they decide alike: a peer whose
 * policySetHash differs runs another rule pack, policy or governance (issue #6 §3), which readiness
 * reports as a hint. A peer silent for longer than `ttlMs` is forgotten.
 */
export function createPeerTracker(options: { self: string; ttlMs: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  const peers = new Map<string, { beat: InstanceHeartbeat; seenAt: number }>();
  const live = () => {
    for (const [id, p] of peers) if (now() - p.seenAt > options.ttlMs) peers.delete(id);
    return [...peers.values()].map((p) => p.beat);
  };
  return {
    observe(beat: InstanceHeartbeat) {
      if (beat.instance !== options.self) peers.set(beat.instance, { beat, seenAt: now() });
    },
    peers: live,
    /** One hint per peer that differs from `mine` (the hashes say which part differs). */
    drift(mine: Pick<InstanceHeartbeat, 'policySetHash' | 'rulePackHash' | 'policyHash' | 'governanceRevision'>): ReadinessHint[] {
      return live()
        .filter((p) => p.policySetHash !== mine.policySetHash)
        .map((p) => {
          const parts = [p.rulePackHash !== mine.rulePackHash ? 'rule pack' : null, p.policyHash !== mine.policyHash ? 'policy' : null, p.governanceRevision !== mine.governanceRevision ? `governance (revision ${p.governanceRevision} there, ${mine.governanceRevision} here)` : null].filter((x) => x !== null);
          return { code: 'instances_differ', severity: 'WARNING' as const, message: `instance ${p.instance} runs a different ${parts.join(', ') || 'governance'} (policySetHash ${p.policySetHash.slice(0, 12)} there, ${mine.policySetHash.slice(0, 12)} here)` };
        });
    },
  };
}
