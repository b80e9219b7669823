import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { AttackCatalogue } from '../attack/catalogue.ts';
import { describeIssues, type FileProblem } from '../file-problem.ts';
import { ACTION_MODES, GOVERNANCE_MODES, type GovernancePatch, type GovernancePreset } from '../governance/governance.ts';

/**
 * Governance presets (`scenarios/presets/governance.yaml`, issue #5 §8): named changes to the current
 * governance that scenarios reference with `governance_preset` and `startRun` with
 * `overrides.governancePreset`. `default` (no change) is built in and cannot be redefined.
 */
export const PRESETS_FILE = 'presets/governance.yaml';

export const BUILT_IN_PRESETS: readonly GovernancePreset[] = [{ name: 'default', description: 'the current governance, unchanged', patch: {}, source: 'built-in' }];

const unit = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

const presetSchema = z
  .object({
    description: z.string().min(1).describe('What the preset changes, for the dashboard and run exports.'),
    mode: z.enum(GOVERNANCE_MODES, { error: `must be one of ${GOVERNANCE_MODES.join(', ')}` }).optional().describe('enforce: denials stop requests; shadow: they are recorded and the request proceeds.'),
    action_mode: z.enum(ACTION_MODES, { error: `must be one of ${ACTION_MODES.join(', ')}` }).optional(),
    budgets: z
      .object({
        max_requests_per_minute: z.number().int('must be a whole number').min(1, 'must be 1 or more').optional().describe('Per agent.'),
        max_events_per_run: z.number().int('must be a whole number').min(1, 'must be 1 or more').optional(),
      })
      .strict()
      .optional(),
    confidence_floor: unit.optional().describe('Tags below this confidence are dropped.'),
    blocked_tactics: z
      .array(z.string().regex(/^TA\d{4}$/, 'must be a tactic id like "TA0002"'))
      .optional()
      .describe('A request tagged with one of these tactics at tag_deny_threshold or more is denied (blocked_by_detection).'),
    tag_deny_threshold: unit.optional(),
    approval_ttl_seconds: z.number().int('must be a whole number').min(10, 'must be 10 or more').optional(),
  })
  .strict();

export const presetsFileSchema = z
  .object({
    $schema: z.string().optional(),
    presets: z.record(z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case'), presetSchema),
  })
  .strict();

export function governancePresetsJsonSchema(): Record<string, unknown> {
  return { $id: 'https://gatehouse.dev/schemas/governance-presets.schema.json', title: 'Gatehouse governance presets', ...z.toJSONSchema(presetsFileSchema, { io: 'input' }) };
}

const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** Parses the presets file; returns the presets (built-in first) and every problem found. */
export function parseGovernancePresets(text: string | null, catalogue: AttackCatalogue, file = PRESETS_FILE): { presets: GovernancePreset[]; problems: FileProblem[] } {
  if (text === null) return { presets: [...BUILT_IN_PRESETS], problems: [] };
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    return { presets: [...BUILT_IN_PRESETS], problems: [{ file, field: null, message: `is not valid YAML: ${(err as Error).message.split('\n')[0]}` }] };
  }
  const parsed = presetsFileSchema.safeParse(raw);
  if (!parsed.success) return { presets: [...BUILT_IN_PRESETS], problems: describeIssues(parsed.error.issues, raw, file) };
  const problems: FileProblem[] = [];
  const presets: GovernancePreset[] = [...BUILT_IN_PRESETS];
  for (const [name, p] of Object.entries(parsed.data.presets)) {
    if (BUILT_IN_PRESETS.some((b) => b.name === name)) {
      problems.push({ file, field: `presets.${name}`, message: `"${name}" is built in and cannot be redefined` });
      continue;
    }
    const unknown = (p.blocked_tactics ?? []).filter((t) => !catalogue.tactic(t));
    if (unknown.length > 0) {
      problems.push({ file, field: `presets.${name}.blocked_tactics`, message: `not ATT&CK Enterprise tactics: ${unknown.join(', ')}` });
      continue;
    }
    const patch: GovernancePatch = clean({
      mode: p.mode,
      actionMode: p.action_mode,
      budgets: p.budgets ? clean({ maxRequestsPerMinute: p.budgets.max_requests_per_minute, maxEventsPerRun: p.budgets.max_events_per_run }) : undefined,
      confidenceFloor: p.confidence_floor,
      blockedTactics: p.blocked_tactics,
      tagDenyThreshold: p.tag_deny_threshold,
      approvalTtlSeconds: p.approval_ttl_seconds,
    });
    presets.push({ name, description: p.description, patch, source: file });
  }
  return { presets, problems };
}
