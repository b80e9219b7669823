import { z } from 'zod';

/**
 * The shape of a rule file (`rules/**\/*.yaml`, DESIGN §6). Strict: unknown keys are errors. The same
 * schema is published as `schemas/rule.schema.json` for editors; catalogue membership and RE2
 * compilation are checked after this shape check (see parse-rule.ts).
 */
const SNAKE = /^[a-z][a-z0-9_]*$/;

export const ruleEmitSchema = z
  .object({
    tactic: z.string().regex(/^TA\d{4}$/, 'must be a tactic id like "TA0006"').describe('ATT&CK tactic id, e.g. TA0006.'),
    technique_id: z.string().regex(/^T\d{4}$/, 'must be a technique id like "T1003"').describe('Parent technique id, e.g. T1003.'),
    sub_technique_id: z
      .string()
      .regex(/^T\d{4}\.\d{3}$/, 'must be a sub-technique id like "T1003.008"')
      .optional()
      .describe('Sub-technique id of technique_id, e.g. T1003.008.'),
    confidence: z.number('must be a number between 0 and 1').min(0, 'must be a number between 0 and 1').max(1, 'must be a number between 0 and 1'),
  })
  .strict();

export const patternMatchSchema = z
  .object({
    field: z.string().min(1).describe('Payload field to match; a dotted path reaches nested fields; non-strings are matched as JSON text.'),
    pattern: z.string().min(1).describe('RE2 regular expression (no lookaround, no backreferences), searched unanchored.'),
  })
  .strict()
  .describe('An engine rule: a pattern on one payload field.');

export const lifterMatchSchema = z
  .object({
    kind: z.string().regex(/^lifter:[a-z0-9]+(-[a-z0-9]+)*$/, 'must be "lifter:<kebab-name>"').describe('Rule kind owned by a lifter plugin.'),
  })
  .catchall(z.unknown())
  .describe('A lifter-owned rule: the lifter checks the other keys.');

export const ruleFileSchema = z
  .object({
    rule_id: z
      .string()
      .regex(/^(R\d{4}|[a-z0-9]+(-[a-z0-9]+)*)$/, 'must look like "R1001" or be kebab-case')
      .describe('Unique id, R1234-style or kebab-case.'),
    rule_version: z.number().int().min(1).describe('Bump on every change that alters what the rule matches or emits.'),
    name: z.string().min(1).max(200),
    description: z.string().min(1),
    applies_to: z.array(z.string().regex(SNAKE, 'must be a snake_case source kind')).min(1).describe('Source kinds, e.g. [command].'),
    match: z.union([patternMatchSchema, lifterMatchSchema]),
    emits: z.array(ruleEmitSchema).min(1),
    evidence_fields: z.array(z.string().min(1)).default([]).describe('Payload fields copied onto each tag as evidence.'),
  })
  .strict();

export type RuleFile = z.output<typeof ruleFileSchema>;

/** The JSON Schema for rule files (written to schemas/rule.schema.json). */
export function ruleJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://gatehouse.dev/schemas/rule.schema.json',
    title: 'Gatehouse rule',
    ...z.toJSONSchema(ruleFileSchema, { io: 'input' }),
  };
}
