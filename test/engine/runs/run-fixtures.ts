import type { GovernanceStore, StoredGovernanceRevision } from '../../../src/engine/governance/governance-store.ts';
import type { GovernanceSettings } from '../../../src/engine/governance/governance.ts';
import type { EventStep, Expectation, RequestStep, Scenario, ScenarioStep } from '../../../src/engine/scenarios/scenario.ts';
import type { StepTag } from '../../../src/engine/runs/run-step-result.ts';

export const SETTINGS: GovernanceSettings = {
  mode: 'enforce',
  actionMode: 'execute',
  budgets: { maxRequestsPerMinute: 120, maxEventsPerRun: 1000 },
  confidenceFloor: 0.3,
  blockedTactics: ['TA0002'],
  tagDenyThreshold: 0.7,
  approvalTtlSeconds: 900,
};

/** Governance revisions in memory, with the same compare-and-set contract as the repository. */
export function memoryGovernanceStore(): GovernanceStore {
  const rows: StoredGovernanceRevision[] = [];
  return {
    latest: async () => rows.at(-1) ?? null,
    insert: async (r) => (rows.some((x) => x.revision === r.revision) ? false : (rows.push(r), true)),
    list: async (before, limit) => rows.filter((r) => before === null || r.revision < before).reverse().slice(0, limit),
    count: async () => rows.length,
  };
}

const T0 = Date.parse('2026-01-01T00:00:00Z');

export function eventStep(index: number, command: string, expect: Expectation | null = null, atSeconds = index): EventStep {
  return { type: 'event', index, at: new Date(T0 + atSeconds * 1000), expect, origin: `test events[${index}]`, event: { sourceKind: 'command', sourceId: `t-${index + 1}`, occurredAt: new Date(T0 + atSeconds * 1000), payload: { command_text: command } } };
}

export function requestStep(index: number, path: string, expect: Expectation | null = null): RequestStep {
  return { type: 'request', index, at: new Date(T0 + index * 1000), expect, origin: `test events[${index}]`, request: { agent: 'a', role: 'developer', specId: 'S', action: 'read_file', params: { path } }, tokenAgent: 'a', tokenRoles: ['developer'] };
}

export function scenarioOf(steps: ScenarioStep[], over: Partial<Scenario> = {}): Scenario {
  return {
    id: 'test',
    name: 'Test scenario',
    description: '',
    tags: [],
    runtimeHint: 'tiny',
    components: ['tagger', 'store'],
    params: { ticksTotal: null, eventsPerTick: 2, speed: 'max', metricsEnabled: true, loggingEnabled: true },
    governancePreset: null,
    labelsComplete: false,
    startAt: new Date(T0),
    steps,
    sourcePath: 'test.yaml',
    eventsFile: null,
    hash: 'a'.repeat(64),
    overlaid: false,
    ...over,
  };
}

export const tag = (ruleId: string, techniqueId: string, subTechniqueId: string | null = null, tactic = 'TA0006'): StepTag => ({ id: `${ruleId}-${subTechniqueId ?? techniqueId}`, ruleId, tactic, techniqueId, subTechniqueId, confidence: 0.9 });
