import { stringify } from 'yaml';
import type { Scenario, ScenarioStep } from './scenario.ts';

const compact = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

function stepToFile(step: ScenarioStep): Record<string, unknown> {
  const expect = step.expect ? compact({ techniques: step.expect.techniques, decision: step.expect.decision ?? undefined }) : undefined;
  if (step.type === 'event') {
    const e = step.event;
    return compact({ occurred_at: step.at.toISOString(), event: compact({ source_kind: e.sourceKind, source_id: e.sourceId, attacker_id: e.attackerId, session_id: e.sessionId, host: e.host, payload: e.payload }), expect });
  }
  const r = step.request;
  const as = step.tokenAgent !== r.agent || step.tokenRoles.length !== 1 || step.tokenRoles[0] !== r.role ? { agent: step.tokenAgent, roles: step.tokenRoles } : undefined;
  return compact({ occurred_at: step.at.toISOString(), request: compact({ agent: r.agent, role: r.role, spec_id: r.specId, action: r.action, params: r.params, rationale: r.rationale }), as, expect });
}

/**
 * The scenario as it runs, in the file format (`scenario.resolved.yaml` in run exports): the overlay
 * applied, defaults written out, every step inline with its resolved `occurred_at` and source id.
 * `parseScenario` reads it back into the same steps.
 */
export function renderResolvedScenario(s: Scenario): string {
  const doc = {
    id: s.id,
    name: s.name,
    description: s.description,
    tags: s.tags,
    runtime_hint: s.runtimeHint,
    components: s.components,
    params: { ticks_total: s.params.ticksTotal, events_per_tick: s.params.eventsPerTick, speed: s.params.speed, metrics_enabled: s.params.metricsEnabled, logging_enabled: s.params.loggingEnabled },
    governance_preset: s.governancePreset,
    labels_complete: s.labelsComplete,
    start_at: s.startAt.toISOString(),
    events: s.steps.map(stepToFile),
  };
  return `# resolved from ${s.sourcePath}${s.eventsFile ? ` and ${s.eventsFile}` : ''}${s.overlaid ? ' with its database overlay' : ''}; scenario hash ${s.hash}\n${stringify(doc, { lineWidth: 0 })}`;
}
