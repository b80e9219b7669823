import type { z } from 'zod';
import type { PluginDefinition } from './api.ts';
import { LIFTER_ID, pluginSchema, SNAKE_CASE, type PluginManifestData } from './manifest-schema.ts';
import { describeValue, formatPath, isRecord, recordsIn, stringOrNull, stringsIn } from './plugin-values.ts';

/**
 * Turns an imported plugin module into a validated manifest (issue "tagging" A.2, A.4). Every problem
 * is collected before anything is thrown, and each message names the plugin, the field and what
 * arrived: `plugin plugins/foo: 'apiVersion' must be a semver string like "1.0.0", got 2`.
 * Only the module's default export is read; no plugin function is called.
 */
export interface ParsedPlugin {
  /** The manifest's data, with defaults applied. */
  readonly manifest: PluginManifestData;
  /** The plugin's own object (not a copy), so its functions keep their `this`. */
  readonly definition: PluginDefinition;
}

/** Thrown by {@link parseManifest}; `problems` holds one full message per problem. */
export class PluginManifestError extends Error {
  override name = 'PluginManifestError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/** Who the plugin must say it is: the folder (or unscoped package) name, and how messages name it. */
export interface ManifestExpectation {
  readonly name: string;
  readonly label: string;
  readonly source: 'folder' | 'package';
}

export function parseManifest(moduleNamespace: unknown, expected: ManifestExpectation): ParsedPlugin {
  const prefix = `plugin ${expected.label}: `;
  const raw = defaultExport(moduleNamespace);
  if (!isRecord(raw)) {
    const got = raw === undefined ? 'no default export' : describeValue(raw);
    throw new PluginManifestError([`${prefix}the entry must \`export default definePlugin({ ... })\`, got ${got}`]);
  }
  const result = pluginSchema.safeParse(raw);
  const problems = [...(result.success ? [] : result.error.issues.flatMap((issue) => describeIssue(issue, raw))), ...checkConsistency(raw, expected)];
  if (problems.length > 0 || !result.success) throw new PluginManifestError(problems.map((p) => prefix + p));
  const { name, version, apiVersion, description, dependsOn, provides } = result.data;
  // zod checked every field's shape (functions only as functions); the API's types describe the rest.
  return { manifest: { name, version, apiVersion, description, dependsOn, provides }, definition: raw as unknown as PluginDefinition };
}

/** What can be shown for a plugin whose manifest failed: each field if it is at least a string. */
export function readManifestFacts(moduleNamespace: unknown): { version: string | null; apiVersion: string | null; description: string | null } {
  const raw = defaultExport(moduleNamespace);
  if (!isRecord(raw)) return { version: null, apiVersion: null, description: null };
  return { version: stringOrNull(raw.version), apiVersion: stringOrNull(raw.apiVersion), description: stringOrNull(raw.description) };
}

/** The name a plugin must declare: its folder name, or its package name without the `@scope/`. */
export function expectedPluginName(candidateName: string, source: 'folder' | 'package'): string {
  return source === 'package' ? (candidateName.split('/').pop() ?? candidateName) : candidateName;
}

function defaultExport(moduleNamespace: unknown): unknown {
  if (!isRecord(moduleNamespace)) return undefined;
  const value = moduleNamespace.default;
  // A CommonJS build of an ESM plugin arrives as { default: { __esModule, default: plugin } }.
  if (isRecord(value) && value.__esModule === true && 'default' in value) return value.default;
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, raw: Record<string, unknown>): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `'${formatPath([...issue.path, key])}' is not a known field`);
  }
  const value = issue.path.reduce<unknown>((v, key) => (isRecord(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[key] : undefined), raw);
  return [`'${formatPath(issue.path)}' ${issue.message}, got ${describeValue(value)}`];
}

/** Checks that need several fields at once. Defensive: runs on the raw value so it reports alongside shape errors. */
function checkConsistency(raw: Record<string, unknown>, expected: ManifestExpectation): string[] {
  const problems: string[] = [];
  const name = stringOrNull(raw.name);
  if (name !== null && name !== expected.name) {
    problems.push(`'name' must equal the ${expected.source === 'package' ? 'package' : 'folder'} name ${JSON.stringify(expected.name)}, got ${JSON.stringify(name)}`);
  }
  const lifters = recordsIn(raw.lifters);
  const actions = recordsIn(raw.actions);
  const sourceKinds = recordsIn(raw.sourceKinds);

  // Against the folder name, which `name` must equal: that is what the id must say once both are fixed.
  for (const [i, lifter] of lifters) {
    const id = stringOrNull(lifter.id);
    if (id !== null && LIFTER_ID.test(id) && !id.startsWith(`${expected.name}/`)) {
      problems.push(`'lifters[${i}].id' must start with the plugin name "${expected.name}/", got ${JSON.stringify(id)}`);
    }
  }
  const repeats = createRepeatCheck(problems);
  for (const [i, lifter] of lifters) repeats('lifter id', lifter.id, `lifters[${i}].id`);
  for (const [i, lifter] of lifters) stringsIn(lifter.owns).forEach(([j, kind]) => repeats('rule kind', kind, `lifters[${i}].owns[${j}]`));
  for (const [i, action] of actions) {
    repeats('action kind', action.action, `actions[${i}].action`);
    stringsIn(action.aliases).forEach(([j, alias]) => repeats('action kind', alias, `actions[${i}].aliases[${j}]`));
    if (action.takesPath === true && action.pathOf === undefined) {
      problems.push(`'actions[${i}].pathOf' is required when 'takesPath' is true, got nothing`);
    }
    if (action.takesPath === false && typeof action.pathOf === 'function') {
      problems.push(`'actions[${i}].pathOf' is given but 'takesPath' is false, so the gateway would not check that path`);
    }
  }
  for (const [i, kind] of sourceKinds) repeats('source kind', kind.kind, `sourceKinds[${i}].kind`);

  const provides = raw.provides === undefined ? {} : raw.provides;
  if (isRecord(provides)) {
    problems.push(...compareProvides('lifters', 'lifter', provides.lifters, lifters.map(([, l]) => l.id), LIFTER_ID));
    problems.push(...compareProvides('actions', 'action', provides.actions, actions.map(([, a]) => a.action), SNAKE_CASE));
    problems.push(...compareProvides('sourceKinds', 'source kind', provides.sourceKinds, sourceKinds.map(([, k]) => k.kind), SNAKE_CASE));
  }
  return problems;
}

/** Reports a value seen twice within one plugin, naming both places. */
function createRepeatCheck(problems: string[]) {
  const seen = new Map<string, string>();
  return (what: string, value: unknown, where: string) => {
    if (typeof value !== 'string') return;
    const key = `${what}\u0000${value}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, where);
    else problems.push(`'${where}' repeats ${what} ${JSON.stringify(value)} (first at ${first})`);
  };
}

/**
 * `provides` is the manifest as data: it must list exactly the ids the plugin defines. Ids that are
 * malformed are left out here, since the shape check already reports them.
 */
function compareProvides(field: string, what: string, listed: unknown, definedValues: unknown[], idPattern: RegExp): string[] {
  if (listed !== undefined && !Array.isArray(listed)) return [];
  const declared = stringsIn(listed).map(([, id]) => id);
  const defined = definedValues.filter((v): v is string => typeof v === 'string' && idPattern.test(v));
  return [
    ...declared.filter((id) => !defined.includes(id)).map((id) => `'provides.${field}' lists ${JSON.stringify(id)}, but no ${what} with that id is defined`),
    ...defined.filter((id) => !declared.includes(id)).map((id) => `${what} ${JSON.stringify(id)} is defined but missing from 'provides.${field}'`),
  ];
}
