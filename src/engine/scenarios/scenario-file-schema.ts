import { z } from 'zod';
import { REQUEST_STATUSES } from '../gateway/decision.ts';
import { COMPONENTS, RUNTIME_HINTS } from './scenario.ts';

/**
 * The scenario file (`scenarios/*.yaml`, issue #5 §1) as its author writes it: snake_case, strict
 * (unknown keys are errors). One schema serves validation and the published JSON Schema
 * (`schemas/scenario.schema.json`). Cross-field rules (technique ids, presets, the events file) are
 * checked by parse-scenario.ts, which knows the catalogue and the folder.
 */

/** `90`, `"90s"`, `"250ms"`, `"5m"`, `"1h30m"`: an offset from `start_at`. */
export const DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/;

const duration = z.union([z.number().min(0, 'must be 0 or more seconds'), z.string().regex(DURATION, 'must be seconds or a duration like "90s", "250ms", "5m", "1h30m"').refine((s) => s.length > 0, 'must not be empty')]);
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant such as "2026-01-01T00:00:00Z"' });
const techniqueId = z.string().regex(/^T\d{4}(\.\d{3})?$/, 'must be a technique id like "T1110" or "T1110.001"');

const eventSchema = z
  .object({
    source_kind: z.string().min(1),
    source_id: z.string().min(1).max(200).optional(),
    attacker_id: z.string().min(1).max(200).optional(),
    session_id: z.string().min(1).max(200).optional(),
    host: z.string().min(1).max(255).optional(),
    payload: z.record(z.string(), z.unknown()),
  })
  .strict();

const requestSchema = z
  .object({
    agent: z.string().min(1),
    role: z.string().min(1),
    spec_id: z.string().min(1),
    action: z.string().min(1),
    params: z.record(z.string(), z.unknown()).default({}),
    rationale: z.string().optional(),
  })
  .strict();

const expectSchema = z
  .object({
    techniques: z.array(techniqueId).default([]),
    decision: z.enum(REQUEST_STATUSES).optional(),
  })
  .strict();

export const stepSchema = z
  .object({
    at: duration.optional(),
    occurred_at: instant.optional(),
    event: eventSchema.optional(),
    request: requestSchema.optional(),
    as: z.object({ agent: z.string().min(1), roles: z.array(z.string().min(1)).min(1) }).strict().optional(),
    expect: expectSchema.optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    if (step.event === undefined && step.request === undefined) ctx.addIssue({ code: 'custom', path: ['event'], message: 'is required unless the step is a request' });
    if (step.event !== undefined && step.request !== undefined) ctx.addIssue({ code: 'custom', path: ['request'], message: 'cannot be combined with event in one step' });
    if (step.at !== undefined && step.occurred_at !== undefined) ctx.addIssue({ code: 'custom', path: ['occurred_at'], message: 'cannot be combined with at; give one' });
    if (step.event && step.as) ctx.addIssue({ code: 'custom', path: ['as'], message: 'only applies to request steps' });
    if (step.event && step.expect?.decision) ctx.addIssue({ code: 'custom', path: ['expect', 'decision'], message: 'only applies to request steps' });
  });

export type StepFile = z.output<typeof stepSchema>;

export const paramsSchema = z
  .object({
    ticks_total: z.number().int().min(1).nullable().default(null),
    events_per_tick: z.number().int().min(1).max(100_000).default(10),
    speed: z.union([z.enum(['max', 'realtime'], { error: 'must be "max", "realtime" or a factor of realtime (a number above 0, at most 1000)' }), z.number().positive('must be above 0').max(1000, 'must be at most 1000')]).default('max'),
    metrics_enabled: z.boolean().default(true),
    logging_enabled: z.boolean().default(true),
  })
  .strict();

export const scenarioFileSchema = z
  .object({
    $schema: z.string().optional(),
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case (a-z, 0-9, hyphens)').max(100),
    name: z.string().min(1).max(200),
    description: z.string().max(10_000).default(''),
    tags: z.array(z.string().min(1).max(50)).max(50).default([]),
    runtime_hint: z.enum(RUNTIME_HINTS).default('small'),
    /** Default: tagger and store, plus gateway when the scenario has request steps. */
    components: z.array(z.enum(COMPONENTS)).optional(),
    params: paramsSchema.default({ ticks_total: null, events_per_tick: 10, speed: 'max', metrics_enabled: true, logging_enabled: true }),
    governance_preset: z.string().min(1).max(100).nullable().default(null),
    labels_complete: z.boolean().default(false),
    start_at: instant.default('2026-01-01T00:00:00Z'),
    events: z.array(z.unknown()).optional(),
    events_file: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((file, ctx) => {
    if (file.events === undefined && file.events_file === undefined) ctx.addIssue({ code: 'custom', path: ['events'], message: 'is required unless events_file names a JSONL file beside the scenario' });
    if (file.events !== undefined && file.events_file !== undefined) ctx.addIssue({ code: 'custom', path: ['events_file'], message: 'cannot be combined with inline events; give one of them' });
  });

export type ScenarioFile = z.output<typeof scenarioFileSchema>;

/** The JSON Schema editors use for autocomplete (`# yaml-language-server: $schema=../schemas/scenario.schema.json`). */
export function scenarioJsonSchema(): Record<string, unknown> {
  const base = z.toJSONSchema(scenarioFileSchema.safeExtend({ events: z.array(stepSchema).optional() }), { io: 'input' }) as Record<string, unknown>;
  return { $id: 'https://gatehouse.dev/schemas/scenario.schema.json', title: 'Gatehouse replay scenario', ...base };
}
