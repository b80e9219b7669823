import { z } from 'zod';
import { badInput } from '../errors.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import type { RunOverrides, RunParams } from './run.ts';

/** The params a run uses: the scenario's, then the overrides; ticks default to what the steps need. */
export function resolveRunParams(scenario: Scenario, overrides: RunOverrides): RunParams {
  const eventsPerTick = overrides.eventsPerTick ?? scenario.params.eventsPerTick;
  return {
    speed: overrides.speed ?? scenario.params.speed,
    eventsPerTick,
    ticksTotal: overrides.ticksTotal ?? scenario.params.ticksTotal ?? Math.ceil(scenario.steps.length / eventsPerTick),
    metricsEnabled: overrides.metricsEnabled ?? scenario.params.metricsEnabled,
    loggingEnabled: overrides.loggingEnabled ?? scenario.params.loggingEnabled,
  };
}

/** `startRun(overrides:)` as the API sends it; speed is "max", "realtime" or a factor as text or number. */
const overridesSchema = z
  .object({
    speed: z.union([z.literal('max'), z.literal('realtime'), z.number().positive().max(1000), z.string().regex(/^\d+(\.\d+)?$/).transform(Number)]).optional(),
    ticksTotal: z.number().int().min(1).max(100_000_000).optional(),
    eventsPerTick: z.number().int().min(1).max(100_000).optional(),
    metricsEnabled: z.boolean().optional(),
    loggingEnabled: z.boolean().optional(),
    governancePreset: z.string().min(1).max(100).nullable().optional(),
  })
  .strict();

/** Parses overrides (null/absent fields are left alone) or throws BAD_USER_INPUT naming the field. */
export function parseRunOverrides(input: unknown, field = 'overrides'): RunOverrides {
  const defined = input && typeof input === 'object' ? Object.fromEntries(Object.entries(input).filter(([k, v]) => v !== null || k === 'governancePreset')) : input ?? {};
  const result = overridesSchema.safeParse(defined);
  if (result.success) {
    const speed = result.data.speed;
    if (typeof speed === 'number' && !(speed > 0 && speed <= 1000)) throw badInput(`${field}.speed`, `must be "max", "realtime" or a factor above 0 and at most 1000, got ${speed}`);
    return result.data as RunOverrides;
  }
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  if (issue?.code === 'unrecognized_keys') throw badInput(field, `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`);
  const value = issue?.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), defined);
  const reason = path === 'speed' ? 'must be "max", "realtime" or a factor above 0 and at most 1000' : (issue?.message ?? 'is invalid').replace(/^Invalid input: /, '');
  throw badInput(`${field}.${path}`, `${reason}, got ${JSON.stringify(value)}`);
}
