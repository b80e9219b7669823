import { parsePageArgs, toConnection, type PageArgs } from '../../engine/pagination.ts';
import type { RunRecord } from '../../engine/runs/run.ts';
import type { RuntimeHint, Scenario } from '../../engine/scenarios/scenario.ts';
import type { Context } from '../context.ts';

export interface ScenarioFilter {
  tag?: string | null;
  runtimeHint?: RuntimeHint | null;
  /** Case-insensitive substring of id, name or description. */
  search?: string | null;
}

const isIdKey = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 200;

const matches = (s: Scenario, f: ScenarioFilter) => {
  const q = f.search?.toLowerCase();
  return (!f.tag || s.tags.includes(f.tag)) && (!f.runtimeHint || s.runtimeHint === f.runtimeHint) && (!q || `${s.id}\n${s.name}\n${s.description}`.toLowerCase().includes(q));
};

/** Loaded scenarios (overlays applied), by id. */
export function scenarios(args: PageArgs & { filter?: ScenarioFilter | null }, ctx: Context) {
  const filter = { ...(args.filter ?? {}) };
  const page = parsePageArgs(args, { list: 'scenarios', filter, order: 'id asc' }, isIdKey);
  const all = ctx.scenarios.list().filter((s) => matches(s, filter));
  const rows = all.filter((s) => page.after === null || s.id > page.after).slice(0, page.limit + 1);
  return toConnection(page, rows, (s) => s.id, all.length);
}

export function scenario(args: { id: string }, ctx: Context) {
  return ctx.scenarios.get(args.id) ?? null;
}

export interface OperatorStateView {
  run: RunRecord | null;
  activeScenario: Scenario | null;
  queued: number;
}

/**
 * `state`: the run an operator is watching — the active run here (running or paused first, else the
 * oldest queued) or, when none is active, the newest run — and the scenario picked with
 * `activateScenario`. Components are the run's cards.
 */
export async function state(_args: unknown, ctx: Context): Promise<OperatorStateView> {
  const active = ctx.runs.active();
  const run = active.find((r) => r.state === 'RUNNING' || r.state === 'PAUSED') ?? active.find((r) => r.state === 'QUEUED') ?? (await ctx.runStore.list({}, 'CREATED_DESC', null, 1))[0] ?? null;
  const id = ctx.operatorState.activeScenario();
  return { run, activeScenario: id ? (ctx.scenarios.get(id) ?? null) : null, queued: active.filter((r) => r.state === 'QUEUED').length };
}
