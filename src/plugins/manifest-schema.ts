import { z } from 'zod';
import { API_VERSION_PATTERN } from './api-version.ts';

/**
 * The shape of a plugin's default export (issue "tagging" A.2, A.4), as zod schemas. Every object is
 * strict, so a misspelt field (`dependOn`, `budgetMS`) is an error rather than silently ignored.
 * Each message says what the field must be; `parse-manifest.ts` adds the field's path and what arrived.
 * Functions are only checked to be functions: their signatures cannot be checked at run time.
 */

/** Plugin names and the parts of a lifter id: `dns-lifter`. */
export const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Action kinds and source kinds, as the agent protocol and rule files spell them: `write_file`. */
export const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
/** `<plugin>/<lifter>`, both kebab-case. */
export const LIFTER_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** What a lifter owns: the `match.kind` of rule files, `lifter:<kebab>`. */
export const OWNED_RULE_KIND = /^lifter:[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** semver 2.0.0, pre-release and build metadata allowed (the plugin's own version). */
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

const MAX_BUDGET_MS = 60_000;

const patterned = (pattern: RegExp, message: string) => z.string({ error: message }).regex(pattern, message);
const text = z.string({ error: 'must be a non-empty string' }).min(1, 'must be a non-empty string');
const flag = z.boolean({ error: 'must be true or false' });
/** Any function: the host calls it later, and the API's types describe its signature. */
const callable = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', { error: 'must be a function' });
const listOf = <T extends z.ZodType>(item: T, what: string) => z.array(item, { error: `must be a list of ${what}` });

const pluginName = patterned(KEBAB_CASE, 'must be a kebab-case name like "dns-lifter"');
const sourceKind = patterned(SNAKE_CASE, 'must be a snake_case source kind like "dns_query"');
const actionKind = patterned(SNAKE_CASE, 'must be a snake_case action kind like "write_file"');
const lifterId = patterned(LIFTER_ID, 'must be "<plugin>/<lifter>" in kebab-case, like "dns-lifter/tunnelling"');
const ruleKind = patterned(OWNED_RULE_KIND, 'must be a rule kind like "lifter:brute-force"');

export const lifterSchema = z.strictObject(
  {
    id: lifterId,
    description: text,
    handles: listOf(sourceKind, 'source kinds').min(1, 'must list at least one source kind'),
    owns: listOf(ruleKind, 'rule kinds').min(1, 'must list at least one rule kind like "lifter:brute-force"'),
    budgetMs: z
      .number({ error: `must be a number of milliseconds between 1 and ${MAX_BUDGET_MS}` })
      .min(1, `must be a number of milliseconds between 1 and ${MAX_BUDGET_MS}`)
      .max(MAX_BUDGET_MS, `must be a number of milliseconds between 1 and ${MAX_BUDGET_MS}`)
      .optional(),
    parseParams: callable,
    create: callable,
  },
  { error: 'must be a lifter definition (defineLifter({...}))' },
);

export const actionSchema = z.strictObject(
  {
    action: actionKind,
    aliases: listOf(actionKind, 'action kinds').optional(),
    description: text,
    takesPath: flag,
    mutates: flag,
    parseParams: callable,
    pathOf: callable.optional(),
    execute: callable,
  },
  { error: 'must be an action handler definition (defineActionHandler({...}))' },
);

export const sourceKindSchema = z.strictObject(
  {
    kind: sourceKind,
    description: text,
    fields: z.record(z.string(), text, { error: 'must map each payload field to its description' }),
    parsePayload: callable,
  },
  { error: 'must be a source kind definition' },
);

const providesSchema = z.strictObject(
  {
    lifters: listOf(z.string({ error: 'must be a lifter id' }), 'lifter ids').default([]),
    actions: listOf(z.string({ error: 'must be an action kind' }), 'action kinds').default([]),
    sourceKinds: listOf(z.string({ error: 'must be a source kind' }), 'source kinds').default([]),
  },
  { error: 'must be an object like { lifters: [...], actions: [...], sourceKinds: [...] }' },
);

export const pluginSchema = z.strictObject({
  name: pluginName,
  version: patterned(SEMVER, 'must be a semver version like "1.4.2"'),
  apiVersion: patterned(API_VERSION_PATTERN, 'must be a semver string like "1.0.0"'),
  description: text,
  dependsOn: listOf(pluginName, 'plugin names').default([]),
  provides: providesSchema.default({ lifters: [], actions: [], sourceKinds: [] }),
  lifters: listOf(lifterSchema, 'lifter definitions').default([]),
  actions: listOf(actionSchema, 'action handler definitions').default([]),
  sourceKinds: listOf(sourceKindSchema, 'source kind definitions').default([]),
  setup: callable.optional(),
  dispose: callable.optional(),
});

/** The manifest's data after validation, with defaults applied (`dependsOn` and `provides` lists are never missing). */
export type PluginManifestData = Pick<z.output<typeof pluginSchema>, 'name' | 'version' | 'apiVersion' | 'description' | 'dependsOn' | 'provides'>;
