import type { LifterDefinition, LifterFinding, LifterInstance, LifterRule, PluginEvent } from '../../plugins/api.ts';

/** Why a lifter produced nothing for an event. */
export type LifterFailure = 'error' | 'timeout';

export interface LifterRunResult {
  findings: readonly LifterFinding[];
  failure: LifterFailure | null;
  message: string | null;
}

export const DEFAULT_LIFTER_BUDGET_MS = 50;

/**
 * Runs one lifter instance on one event under its time budget (DESIGN §6): a lifter that throws,
 * rejects, returns something that is not a list, or runs past its budget yields no findings for that
 * event, and the failure is reported to the caller to count and log. A synchronous lifter cannot be
 * interrupted, so its over-budget result is discarded after the fact.
 */
export function runLifter(
  definition: LifterDefinition<unknown>,
  instance: LifterInstance<unknown>,
  event: PluginEvent,
  rules: readonly LifterRule<unknown>[],
): LifterRunResult | Promise<LifterRunResult> {
  const budget = definition.budgetMs ?? DEFAULT_LIFTER_BUDGET_MS;
  const started = performance.now();
  const settle = (findings: unknown): LifterRunResult => {
    if (findings === 'timeout' || performance.now() - started > budget) return { findings: [], failure: 'timeout', message: `exceeded its ${budget} ms budget` };
    if (!Array.isArray(findings)) return { findings: [], failure: 'error', message: 'returned something other than a list of findings' };
    return { findings, failure: null, message: null };
  };
  const failed = (err: unknown): LifterRunResult => ({ findings: [], failure: 'error', message: (err as Error)?.message ?? String(err) });
  let output: unknown;
  try {
    output = instance.process({ event, rules });
  } catch (err) {
    return failed(err);
  }
  // Synchronous lifters (the common case) are answered without a promise: this runs per event.
  if (!isPromiseLike(output)) return settle(output);
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    Promise.resolve(output),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), budget);
    }),
  ]).then(settle, failed).finally(() => clearTimeout(timer));
}

function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
