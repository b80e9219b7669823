import { describe, expect, it } from 'vitest';
import { defineActionHandler, defineLifter, definePlugin } from '../../src/plugins/api.ts';
import { expectedPluginName, parseManifest, PluginManifestError, type ManifestExpectation } from '../../src/plugins/parse-manifest.ts';

const expected = { name: 'demo', label: 'plugins/demo', source: 'folder' as const };

const lifter = defineLifter({
  id: 'demo/burst',
  description: 'Bursts.',
  handles: ['command'],
  owns: ['lifter:burst'],
  parseParams: (params) => params,
  create: () => ({ process: () => [] }),
});

const action = defineActionHandler({
  action: 'read_file',
  aliases: ['cat'],
  description: 'Reads a file.',
  takesPath: true,
  mutates: false,
  parseParams: (params) => params as { path: string },
  pathOf: (params) => params.path,
  execute: async () => ({ ok: true, output: {} }),
});

const valid = definePlugin({
  name: 'demo',
  version: '1.0.0-rc.1+build.5',
  apiVersion: '1.0.0',
  description: 'A demo.',
  provides: { lifters: ['demo/burst'], actions: ['read_file'] },
  lifters: [lifter],
  actions: [action],
});

/** The problems parseManifest reports for `plugin`, without the common prefix. */
function problemsOf(plugin: unknown, expectation: ManifestExpectation = expected): string[] {
  try {
    parseManifest({ default: plugin }, expectation);
  } catch (err) {
    if (err instanceof PluginManifestError) return err.problems.map((p) => p.replace(`plugin ${expectation.label}: `, ''));
    throw err;
  }
  return [];
}

describe('parseManifest', () => {
  it('returns the manifest data with defaults and the plugin object itself', () => {
    const { manifest, definition } = parseManifest({ default: valid }, expected);
    expect(manifest).toEqual({
      name: 'demo',
      version: '1.0.0-rc.1+build.5',
      apiVersion: '1.0.0',
      description: 'A demo.',
      dependsOn: [],
      provides: { lifters: ['demo/burst'], actions: ['read_file'], sourceKinds: [] },
    });
    expect(definition).toBe(valid);
    expect(definition.lifters?.[0]).toBe(lifter);
  });

  it('reads the plugin from a CommonJS build of an ES module', () => {
    expect(parseManifest({ default: { __esModule: true, default: valid } }, expected).definition).toBe(valid);
  });

  it('refuses an entry without a default export, or with one that is not an object', () => {
    expect(problemsOf(undefined)).toEqual(['the entry must `export default definePlugin({ ... })`, got no default export']);
    expect(problemsOf(() => valid)).toEqual(['the entry must `export default definePlugin({ ... })`, got a function']);
    expect(problemsOf([valid])).toHaveLength(1);
  });

  it('reports every shape problem at once, naming the field and what arrived', () => {
    const problems = problemsOf({
      name: 'Demo_Plugin',
      version: 1,
      apiVersion: '1.0',
      description: '',
      dependsOn: 'credential-lifter',
      provides: { lifter: [] },
      lifters: [{ ...lifter, id: 'demo', handles: [], owns: ['lifter:Burst'], budgetMs: 0, create: 'soon', budgetMS: 5 }],
      actions: [{ ...action, aliases: 'cat', takesPath: 'yes' }],
      sourceKinds: [{ kind: 'dns-query', description: 'DNS.', fields: { qname: 3 }, parsePayload: (p: unknown) => p }],
      setup: true,
    });
    expect(problems).toEqual([
      `'name' must be a kebab-case name like "dns-lifter", got "Demo_Plugin"`,
      `'version' must be a semver version like "1.4.2", got 1`,
      `'apiVersion' must be a semver string like "1.0.0", got "1.0"`,
      `'description' must be a non-empty string, got ""`,
      `'dependsOn' must be a list of plugin names, got "credential-lifter"`,
      `'provides.lifter' is not a known field`,
      `'lifters[0].id' must be "<plugin>/<lifter>" in kebab-case, like "dns-lifter/tunnelling", got "demo"`,
      `'lifters[0].handles' must list at least one source kind, got []`,
      `'lifters[0].owns[0]' must be a rule kind like "lifter:brute-force", got "lifter:Burst"`,
      `'lifters[0].budgetMs' must be a number of milliseconds between 1 and 60000, got 0`,
      `'lifters[0].create' must be a function, got "soon"`,
      `'lifters[0].budgetMS' is not a known field`,
      `'actions[0].aliases' must be a list of action kinds, got "cat"`,
      `'actions[0].takesPath' must be true or false, got "yes"`,
      `'sourceKinds[0].kind' must be a snake_case source kind like "dns_query", got "dns-query"`,
      `'sourceKinds[0].fields.qname' must be a non-empty string, got 3`,
      `'setup' must be a function, got true`,
      `'name' must equal the folder name "demo", got "Demo_Plugin"`,
      `action "read_file" is defined but missing from 'provides.actions'`,
    ]);
  });

  it('requires provides to list exactly what the plugin defines', () => {
    expect(problemsOf({ ...valid, provides: { lifters: ['demo/burst', 'demo/other'] } })).toEqual([
      `'provides.lifters' lists "demo/other", but no lifter with that id is defined`,
      `action "read_file" is defined but missing from 'provides.actions'`,
    ]);
    const { provides: _provides, ...withoutProvides } = valid;
    expect(problemsOf(withoutProvides)).toEqual([
      `lifter "demo/burst" is defined but missing from 'provides.lifters'`,
      `action "read_file" is defined but missing from 'provides.actions'`,
    ]);
  });

  it('requires lifter ids to start with the plugin name', () => {
    expect(problemsOf({ ...valid, provides: { ...valid.provides, lifters: ['other/burst'] }, lifters: [{ ...lifter, id: 'other/burst' }] })).toEqual([
      `'lifters[0].id' must start with the plugin name "demo/", got "other/burst"`,
    ]);
  });

  it('refuses duplicates within one plugin, naming both places', () => {
    const second = { ...lifter, id: 'demo/burst', owns: ['lifter:other', 'lifter:burst'] };
    const write = { ...action, action: 'write_file', aliases: ['cat', 'read_file'], mutates: true };
    expect(
      problemsOf({ ...valid, provides: { lifters: ['demo/burst'], actions: ['read_file', 'write_file'] }, lifters: [lifter, second], actions: [action, write] }),
    ).toEqual([
      `'lifters[1].id' repeats lifter id "demo/burst" (first at lifters[0].id)`,
      `'lifters[1].owns[1]' repeats rule kind "lifter:burst" (first at lifters[0].owns[0])`,
      `'actions[1].aliases[0]' repeats action kind "cat" (first at actions[0].aliases[0])`,
      `'actions[1].aliases[1]' repeats action kind "read_file" (first at actions[0].action)`,
    ]);
  });

  it('requires pathOf exactly when an action takes a path, so no path goes unchecked', () => {
    const { pathOf: _pathOf, ...pathless } = action;
    expect(problemsOf({ ...valid, actions: [pathless] })).toEqual([`'actions[0].pathOf' is required when 'takesPath' is true, got nothing`]);
    expect(problemsOf({ ...valid, actions: [{ ...action, takesPath: false }] })).toEqual([
      `'actions[0].pathOf' is given but 'takesPath' is false, so the gateway would not check that path`,
    ]);
  });

  it('expects a package plugin to be named after its package, without the scope', () => {
    expect(expectedPluginName('@acme/demo', 'package')).toBe('demo');
    expect(expectedPluginName('demo', 'package')).toBe('demo');
    expect(problemsOf({ ...valid, name: 'acme-demo', lifters: [], actions: [], provides: {} }, { name: 'demo', label: 'package @acme/demo', source: 'package' })).toEqual([
      `'name' must equal the package name "demo", got "acme-demo"`,
    ]);
  });

  it('prefixes every message with the plugin', () => {
    expect(() => parseManifest({ default: { ...valid, description: 7 } }, expected)).toThrow(
      new PluginManifestError([`plugin plugins/demo: 'description' must be a non-empty string, got 7`]),
    );
  });
});
