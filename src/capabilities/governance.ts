import type { Config } from '../config.ts';
import type { EventBus } from '../engine/events/event-bus.ts';
import { DEFAULT_GATEWAY_KNOBS } from '../engine/gateway/governance-knobs.ts';
import type { GovernancePreset, GovernanceRevision, GovernanceSettings } from '../engine/governance/governance.ts';
import { createGovernanceService } from '../engine/governance/governance-service.ts';
import type { Database } from '../persistence/database.ts';
import { createGovernanceRepository } from '../persistence/repositories/governance-repository.ts';
import type { Topics } from '../resolvers/context.ts';

/** Always available, whatever the presets file says: the current governance unchanged. */
export const BUILT_IN_PRESET: GovernancePreset = { name: 'default', description: 'the current governance, unchanged', patch: {}, source: 'built-in' };

/** Revision 0: the configured defaults (issue #5 §8; the gateway's issue #4 defaults where config is silent). */
export function governanceDefaults(config: Config): GovernanceSettings {
  return {
    mode: config.gatewayMode,
    actionMode: 'execute',
    budgets: { maxRequestsPerMinute: config.maxRequestsPerMinute, maxEventsPerRun: config.maxEventsPerRun },
    confidenceFloor: config.confidenceFloor,
    blockedTactics: [...DEFAULT_GATEWAY_KNOBS.blockedTactics],
    tagDenyThreshold: DEFAULT_GATEWAY_KNOBS.tagDenyThreshold,
    approvalTtlSeconds: config.approvalTtlSeconds,
  };
}

/**
 * Composes governance before the capabilities that read it: the tagger's confidence floor and the
 * gateway's knobs follow the current revision. Presets and hashes come from capabilities built later,
 * so they are wired in with `usePresets` / `useHashes`; change listeners (the audit log) likewise.
 */
export async function startGovernance(deps: { config: Config; db: Database; bus: EventBus<Topics> }) {
  let presets: () => GovernancePreset[] = () => [BUILT_IN_PRESET];
  let hashes: () => { policyHash: string | null; rulePackHash: string } = () => ({ policyHash: null, rulePackHash: '' });
  const listeners: ((revision: GovernanceRevision, previous: GovernanceRevision) => void)[] = [];
  const governance = createGovernanceService({
    store: createGovernanceRepository(() => deps.db.fork()),
    defaults: () => governanceDefaults(deps.config),
    presets: () => presets(),
    hashes: () => hashes(),
    onChange(revision, previous) {
      deps.bus.publish('governanceChanged', revision);
      for (const listener of listeners) listener(revision, previous);
    },
  });
  await governance.load();
  return {
    governance,
    usePresets(source: () => GovernancePreset[]) {
      presets = source;
    },
    useHashes(source: () => { policyHash: string | null; rulePackHash: string }) {
      hashes = source;
    },
    onChange(listener: (revision: GovernanceRevision, previous: GovernanceRevision) => void) {
      listeners.push(listener);
    },
  };
}
