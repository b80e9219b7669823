import { z } from 'zod';
import { badInput } from '../errors.ts';
import { ACTION_MODES, GOVERNANCE_MODES, type GovernancePatch } from './governance.ts';

/**
 * The shape of a governance change as the API takes it (`updateGovernance`), camelCase. Strict:
 * unknown fields are errors. Tactic ids are checked against the ATT&CK catalogue by the caller's
 * `isTactic`, so a typo cannot silently block nothing.
 */
const unit = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

export const governancePatchSchema = z
  .object({
    mode: z.enum(GOVERNANCE_MODES).optional(),
    actionMode: z.enum(ACTION_MODES).optional(),
    budgets: z
      .object({
        maxRequestsPerMinute: z.number().int().min(1).max(1_000_000).optional(),
        maxEventsPerRun: z.number().int().min(1).max(100_000_000).optional(),
      })
      .strict()
      .optional(),
    confidenceFloor: unit.optional(),
    blockedTactics: z.array(z.string().regex(/^TA\d{4}$/, 'must be a tactic id like "TA0002"')).max(50).optional(),
    tagDenyThreshold: unit.optional(),
    approvalTtlSeconds: z.number().int().min(10).max(7 * 86_400).optional(),
  })
  .strict();

const label = (path: readonly PropertyKey[]) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '').replace(/\.\[/g, '[');

/** Parses a change or throws BAD_USER_INPUT naming the first bad field and what arrived. */
export function parseGovernancePatch(input: unknown, isTactic: (id: string) => boolean): GovernancePatch {
  const result = governancePatchSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue?.code === 'unrecognized_keys') throw badInput(label(issue.path) || 'input', `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`);
    const path = issue?.path ?? [];
    const value = path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);
    throw badInput(label(path) || 'input', `${(issue?.message ?? 'is invalid').replace(/^Invalid input: /, '')}, got ${JSON.stringify(value)}`);
  }
  const unknown = (result.data.blockedTactics ?? []).filter((t) => !isTactic(t));
  if (unknown.length > 0) throw badInput('blockedTactics', `not ATT&CK Enterprise tactics: ${unknown.join(', ')}`);
  return result.data;
}
