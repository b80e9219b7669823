import { z } from 'zod';
import { SPEC_STATUSES } from './policy.ts';

/**
 * The shapes of the policy files in `policy/` (DESIGN §7, issue #4 §1). Strict: unknown keys are
 * errors, because a misspelt key in a security policy (`action_type:`) must not silently mean "none".
 * The YAML shapes are published as `schemas/policy-*.schema.json` for editors; the older JSON wrappers
 * (`specs.json`, `jurisdictions.json`) are accepted but not published. Checks that need more than one
 * value (duplicate ids, glob syntax) run after these, in policy-parse.ts.
 */

/** Spec ids as written in the example policy and by agents: `SPEC-DOCS`, `spec.release-2`. */
const SPEC_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** The same pattern tokens use for the roles an agent may act as (token-service.ts). */
const ROLE = /^[a-z0-9][a-z0-9._-]{0,99}$/;
/** Action kinds as the agent protocol names them (`write_file`). */
const ACTION = /^[a-z][a-z0-9_]*$/;
const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** No C0/C1 control characters (NUL included); the same set canonical-path.ts refuses at run time. */
const PATH_TEXT = /^[^\u0000-\u001f\u007f-\u009f]+$/;

const policyPath = z
  .string()
  .regex(PATH_TEXT, 'must be a non-empty path without NUL or control characters')
  .describe('Relative to the project root (or absolute inside it); a directory covers its subtree.');
const actionName = z.string().regex(ACTION, 'must be a snake_case action kind like "write_file"');
const ROLE_MESSAGE = 'must be a role name: lowercase letters, digits and ._- (like "developer")';
const roleName = z.string().regex(ROLE, ROLE_MESSAGE);

/**
 * A mapping whose keys follow `key`. Keys are checked in a refinement rather than by `z.record`'s key
 * schema, because a record skips the value of a bad key and a load must report every problem; the
 * pattern is still published as `propertyNames`. Key issues carry `params.key` (policy-problem.ts).
 */
function keyedRecord<V extends z.ZodType>(key: RegExp, keyMessage: string, value: V) {
  return z
    .record(z.string(), value)
    .superRefine(
      (record, ctx) => {
        for (const k of Object.keys(record)) if (!key.test(k)) ctx.addIssue({ code: 'custom', path: [k], message: keyMessage, params: { key: true } });
      },
      // Run even when a value failed (zod skips refinements after such issues by default).
      { when: (payload) => payload.value !== null && typeof payload.value === 'object' && !Array.isArray(payload.value) },
    )
    .meta({ propertyNames: { type: 'string', pattern: key.source } });
}

export const specSchema = z
  .object({
    title: z.string().min(1, 'must be a non-empty string'),
    status: z.enum(SPEC_STATUSES, `must be one of ${SPEC_STATUSES.join(', ')}`).describe('Only approved and active specs authorise work.'),
    roles: z.array(roleName).describe('Agent roles allowed to work under this spec.'),
    action_types: z.array(actionName).describe('Action kinds the spec allows.'),
    paths: z.array(policyPath).describe('Paths the spec covers, relative to the project root; a directory covers its subtree.'),
  })
  .strict();

/** `specs.yaml`: spec id → spec. */
export const specsFileSchema = keyedRecord(SPEC_ID, 'must be a spec id: letters, digits and ._- (like "SPEC-DOCS")', specSchema).describe('Gatehouse specs: spec id → spec.');

export const jurisdictionSchema = z
  .object({
    paths: z.array(policyPath).describe('Paths the role may touch, relative to the project root.'),
    action_types: z.array(actionName).describe('Action kinds the role may perform.'),
  })
  .strict();

/**
 * A role's jurisdiction, or the older short form `role: [paths]`. The short form names no action
 * kinds, so it allows none (fail-closed): it was ambiguous, and "all actions" is not a safe reading.
 */
export const jurisdictionEntrySchema = z.union([
  jurisdictionSchema,
  z.array(policyPath).describe('Short form: paths only. Allows NO action kinds; use the long form to allow actions.'),
]);

/** `jurisdictions.yaml`: role → jurisdiction. */
export const jurisdictionsFileSchema = keyedRecord(ROLE, ROLE_MESSAGE, jurisdictionEntrySchema).describe('Gatehouse jurisdictions: role → the paths and actions it may touch.');

/** `protected.yaml`: paths nothing may touch, nor delete a parent of. */
export const protectedFileSchema = z
  .object({
    protected_paths: z.array(policyPath).describe('Nothing may touch these paths or anything below them, nor delete a directory above them.'),
  })
  .strict()
  .describe('Gatehouse protected paths.');

export const approvalRuleSchema = z
  .object({
    id: z.string().regex(KEBAB, 'must be a kebab-case id like "deletes-need-approval"'),
    actions: z.array(actionName).optional().describe('Action kinds the rule applies to; absent or empty means any.'),
    paths: z
      .array(z.string().regex(PATH_TEXT, 'must be a non-empty glob without NUL or control characters'))
      .optional()
      .describe('Globs relative to the project root: `*` within one component, `**` any number of components; absent or empty means any (pathless actions match only then).'),
    description: z.string().min(1, 'must be a non-empty string'),
  })
  .strict();

/** `approvals.yaml`: requests matching a rule wait for an operator's decision. */
export const approvalsFileSchema = z
  .object({ approval_rules: z.array(approvalRuleSchema) })
  .strict()
  .describe('Gatehouse approval rules: requests matching a rule wait as PENDING_APPROVAL.');

/** Older `specs.json`: `{ "specs": { id: spec } }`. */
export const legacySpecsJsonSchema = z.object({ specs: specsFileSchema }).strict();
/** Older `jurisdictions.json`: `{ "jurisdictions": { role: { paths, action_types } | [paths] } }`. */
export const legacyJurisdictionsJsonSchema = z.object({ jurisdictions: jurisdictionsFileSchema }).strict();

export type SpecsFile = z.output<typeof specsFileSchema>;
export type JurisdictionsFile = z.output<typeof jurisdictionsFileSchema>;
export type ProtectedFile = z.output<typeof protectedFileSchema>;
export type ApprovalsFile = z.output<typeof approvalsFileSchema>;

/** The published schemas: file name under `schemas/` → JSON Schema. */
export const POLICY_JSON_SCHEMAS = {
  'policy-specs.schema.json': { title: 'Gatehouse policy: specs', schema: specsFileSchema },
  'policy-jurisdictions.schema.json': { title: 'Gatehouse policy: jurisdictions', schema: jurisdictionsFileSchema },
  'policy-protected.schema.json': { title: 'Gatehouse policy: protected paths', schema: protectedFileSchema },
  'policy-approvals.schema.json': { title: 'Gatehouse policy: approval rules', schema: approvalsFileSchema },
} as const;

export type PolicySchemaFile = keyof typeof POLICY_JSON_SCHEMAS;

/** The JSON Schema written to `schemas/<file>`. */
export function policyJsonSchema(file: PolicySchemaFile): Record<string, unknown> {
  const { title, schema } = POLICY_JSON_SCHEMAS[file];
  return { $id: `https://gatehouse.dev/schemas/${file}`, title, ...z.toJSONSchema(schema, { io: 'input' }) };
}

/** The committed text of `schemas/<file>` (what `gatehouse schema policy --write` writes). */
export function policyJsonSchemaText(file: PolicySchemaFile): string {
  return `${JSON.stringify(policyJsonSchema(file), null, 2)}\n`;
}
