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
    source_kind: z.string().min(1).describe('Source kind: command, http_request, auth_attempt, session, agent_action, or one a plugin adds.'),
    source_id: z.string().min(1).max(200).optional().describe('Id of the event within its kind. Default: <scenario id>-<n>, n the 1-based position of the step in the file.'),
    attacker_id: z.string().min(1).max(200).optional(),
    session_id: z.string().min(1).max(200).optional(),
    host: z.string().min(1).max(255).optional(),
    payload: z.record(z.string(), z.unknown()).describe("The event's payload, in the documented schema of its source kind (docs/source-kinds.md)."),
  })
  .strict()
  .describe('An event to ingest through the tagging engine.');

const requestSchema = z
  .object({
    agent: z.string().min(1).describe('The agent the request claims to be.'),
    role: z.string().min(1).describe('The role it acts as (a jurisdiction in policy/jurisdictions.yaml).'),
    spec_id: z.string().min(1).describe('The spec it works under (policy/specs.yaml).'),
    action: z.string().min(1).describe('Action kind, e.g. read_file, write_file, patch_file, list_dir, delete_file.'),
    params: z.record(z.string(), z.unknown()).default({}).describe("The action's parameters."),
    rationale: z.string().optional().describe("The agent's stated reason."),
  })
  .strict()
  .describe('A gateway request, decided in dry-run (no side effects).');

const expectSchema = z
  .object({
    techniques: z.array(techniqueId).default([]).describe('Techniques the step should be tagged with; [] (the default) means benign. Checked against the vendored ATT&CK catalogue.'),
    decision: z.enum(REQUEST_STATUSES, { error: `must be one of ${REQUEST_STATUSES.join(', ')}` }).optional().describe('For request steps: the decision a correct gateway reaches.'),
  })
  .strict()
  .describe('The label: what a correct system says about this step. A step without expect is unlabelled.');

export const stepSchema = z
  .object({
    at: duration.optional().describe('Offset from start_at: seconds, or "250ms", "90s", "5m", "1h30m". Default: the time of the previous step (0 for the first).'),
    occurred_at: instant.optional().describe('Absolute event time, instead of at.'),
    event: eventSchema.optional(),
    request: requestSchema.optional(),
    as: z
      .object({ agent: z.string().min(1), roles: z.array(z.string().min(1)).min(1, 'must name at least one role') })
      .strict()
      .optional()
      .describe("The simulated agent token of a request step. Default: the request's own agent and [role]."),
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
    ticks_total: z.number().int('must be a whole number').min(1, 'must be 1 or more').nullable().default(null).describe('Ticks the run processes; null: as many as the steps need.'),
    events_per_tick: z.number().int('must be a whole number').min(1, 'must be 1 or more').max(100_000, 'must be at most 100000').default(10).describe('Steps per tick.'),
    speed: z.union([z.enum(['max', 'realtime'], { error: 'must be "max", "realtime" or a factor of realtime (a number above 0, at most 1000)' }), z.number().positive('must be above 0').max(1000, 'must be at most 1000')])
      .default('max')
      .describe('max: as fast as possible; realtime: event-time gaps become wall-clock gaps; a number: that many times realtime.'),
    metrics_enabled: z.boolean().default(true),
    logging_enabled: z.boolean().default(true),
  })
  .strict();

export const scenarioFileSchema = z
  .object({
    $schema: z.string().optional(),
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case (a-z, 0-9, hyphens)').max(100).describe('kebab-case; must equal the file name without .yaml.'),
    name: z.string().min(1).max(200),
    description: z.string().max(10_000).default(''),
    tags: z.array(z.string().min(1).max(50)).max(50).default([]),
    runtime_hint: z.enum(RUNTIME_HINTS, { error: `must be one of ${RUNTIME_HINTS.join(', ')}` }).default('small').describe('How long a run takes, roughly: tiny, small or full.'),
    // The default cannot know whether a lifter handles some step's kind (plugins are not loaded here),
    // so it never includes lifters: a scenario that exercises lifters says so.
    components: z
      .array(z.enum(COMPONENTS, { error: `must be one of ${COMPONENTS.join(', ')}` }))
      .optional()
      .describe('Engine parts the scenario exercises. Default: [tagger, store], plus gateway when a step is a request; list lifters yourself.'),
    params: paramsSchema.default({ ticks_total: null, events_per_tick: 10, speed: 'max', metrics_enabled: true, logging_enabled: true }),
    governance_preset: z.string().min(1).max(100).nullable().default(null).describe('A preset of scenarios/presets/governance.yaml or the built-in default; null: the current governance.'),
    labels_complete: z.boolean().default(false).describe('When true, an unlabelled step expects nothing: any tag on it is a false positive.'),
    start_at: instant.default('2026-01-01T00:00:00Z').describe('Origin of the virtual clock.'),
    events: z.array(z.unknown()).optional().describe('The steps, inline. Give this or events_file.'),
    events_file: z.string().min(1).optional().describe('A .jsonl file beside the scenario (relative, inside the scenarios folder, at most 64 MiB), one step per line.'),
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
