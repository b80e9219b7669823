import { badInput, GatehouseError } from '../../engine/errors.ts';
import { parseScenarioOverlay } from '../../engine/scenarios/scenario-overlay.ts';
import type { Context } from '../context.ts';

function requireScenario(id: string, ctx: Context) {
  const s = ctx.scenarios.get(id);
  if (!s) throw new GatehouseError('NOT_FOUND', `no scenario ${JSON.stringify(id)} is loaded`, { type: 'Scenario', id });
  return s;
}

/** Picks the scenario the dashboard's `state` shows (null clears it). */
export async function activateScenario(args: { input: { scenarioId?: string | null } }, ctx: Context) {
  const id = args.input.scenarioId ?? null;
  const scenario = id === null ? null : requireScenario(id, ctx);
  await ctx.operatorState.activate(id);
  ctx.log.info({ scenarioId: id }, 'scenario activated');
  return { scenario };
}

/**
 * Edits the allowed fields of a scenario as an overlay in the database (issue #5 §1): the YAML stays
 * the source, the overlay wins, `reset: true` removes it. Fields left out keep their overlay value.
 */
export async function updateScenario(args: { input: Record<string, unknown> & { scenarioId: string; reset?: boolean | null } }, ctx: Context) {
  const { scenarioId, reset, ...fields } = args.input;
  requireScenario(scenarioId, ctx);
  const by = ctx.principal?.name ?? null;
  // GraphQL sends an explicit null for a field set to null; only governancePreset means something by it (no preset).
  const given: Record<string, unknown> = Object.fromEntries(Object.entries(fields).filter(([k, v]) => v !== undefined && (v !== null || k === 'governancePreset')));
  if (given.params && typeof given.params === 'object') given.params = Object.fromEntries(Object.entries(given.params).filter(([, v]) => v !== undefined && v !== null));
  if (reset) {
    if (Object.keys(given).length > 0) throw badInput('reset', 'cannot be combined with field changes: reset first, then edit');
    await ctx.operatorState.overlay(scenarioId, null, by);
    ctx.log.info({ scenarioId }, 'scenario overlay reset');
    return { scenario: requireScenario(scenarioId, ctx) };
  }
  const previous = ctx.operatorState.storedOverlay(scenarioId) ?? {};
  const incoming = parseScenarioOverlay(given);
  const overlay = { ...previous, ...incoming, ...(previous.params || incoming.params ? { params: { ...previous.params, ...incoming.params } } : {}) };
  if (overlay.governancePreset && !ctx.governance.presets().some((p) => p.name === overlay.governancePreset)) {
    throw badInput('governancePreset', `no governance preset ${JSON.stringify(overlay.governancePreset)}; known: ${ctx.governance.presets().map((p) => p.name).join(', ')}`);
  }
  await ctx.operatorState.overlay(scenarioId, overlay, by);
  ctx.log.info({ scenarioId, fields: Object.keys(given) }, 'scenario updated');
  return { scenario: requireScenario(scenarioId, ctx) };
}
