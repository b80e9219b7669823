import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../canonical-json.ts';
import { badInput } from '../errors.ts';
import { describeIssues } from '../file-problem.ts';
import { RUNTIME_HINTS, type Scenario, type ScenarioOverlay } from './scenario.ts';

/**
 * API edits of a scenario (`updateScenario`, issue #5 §1): only these fields, stored as an overlay in
 * the database. The YAML stays the source; the overlay wins until it is reset.
 */
const speed = z.union([z.literal('max'), z.literal('realtime'), z.number().positive().max(1000), z.string().regex(/^\d+(\.\d+)?$/).transform(Number)]);

const overlaySchema = z
  .object({
    name: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    description: z.string().max(10_000).optional(),
    tags: z.array(z.string().min(1).max(50)).max(50).optional(),
    runtimeHint: z.enum(RUNTIME_HINTS, { error: `must be one of ${RUNTIME_HINTS.join(', ')}` }).optional(),
    governancePreset: z.string().min(1).max(100).nullable().optional(),
    labelsComplete: z.boolean().optional(),
    params: z
      .object({
        ticksTotal: z.number().int('must be a whole number').min(1, 'must be 1 or more').nullable().optional(),
        eventsPerTick: z.number().int('must be a whole number').min(1, 'must be 1 or more').max(100_000, 'must be at most 100000').optional(),
        speed: speed.optional(),
        metricsEnabled: z.boolean().optional(),
        loggingEnabled: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Parses an overlay or throws BAD_USER_INPUT naming the field and what arrived. */
export function parseScenarioOverlay(input: unknown): ScenarioOverlay {
  const result = overlaySchema.safeParse(input);
  if (result.success) {
    const s = result.data.params?.speed;
    if (typeof s === 'number' && !(s > 0 && s <= 1000)) throw badInput('params.speed', `must be "max", "realtime" or a factor above 0 and at most 1000, got ${s}`);
    return result.data as ScenarioOverlay;
  }
  const issue = result.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const inParams = issue.path.length > 0;
    const editable = inParams ? 'ticksTotal, eventsPerTick, speed, metricsEnabled, loggingEnabled' : 'name, description, tags, runtimeHint, governancePreset, labelsComplete, params';
    throw badInput(issue.path.join('.') || 'input', `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}; editable: ${editable}`);
  }
  const path = issue?.path.map(String).join('.') ?? '';
  if (path === 'params.speed') throw badInput(path, `must be "max", "realtime" or a factor above 0 and at most 1000, got ${JSON.stringify((input as { params: { speed: unknown } }).params.speed)}`);
  // The same wording as file problems ("must be true or false, got \"yes\""), with the field as GraphQL names it.
  const [problem] = describeIssues(issue ? [issue] : [], input, 'input');
  throw badInput(path || 'input', problem?.message ?? 'is invalid');
}

const isEmpty = (o: ScenarioOverlay) => Object.keys(o).filter((k) => k !== 'params').length === 0 && Object.keys(o.params ?? {}).length === 0;

/**
 * The scenario with the overlay applied (params field by field; a field the overlay leaves out keeps
 * the file's value). The hash then covers the overlay too: SHA-256 over the file hash, "\n" and the
 * overlay's canonical JSON, so the same file with the same overlay always hashes the same. An empty
 * overlay returns the scenario itself (overlaid stays false).
 */
export function applyScenarioOverlay(scenario: Scenario, overlay: ScenarioOverlay | undefined): Scenario {
  if (!overlay || isEmpty(overlay)) return scenario;
  const { params, ...fields } = overlay;
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  const definedParams = Object.fromEntries(Object.entries(params ?? {}).filter(([, v]) => v !== undefined));
  return {
    ...scenario,
    ...defined,
    params: { ...scenario.params, ...definedParams },
    hash: createHash('sha256').update(scenario.hash).update('\n').update(canonicalJson(overlay)).digest('hex'),
    overlaid: true,
  };
}
