import { graphql, isEnumType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadPlugins } from '../../src/plugins/load-plugins.ts';
import type { PluginCatalogue } from '../../src/resolvers/query/plugins.ts';
import { createBuilder } from '../../src/schema/builder.ts';
import { addPlugins } from '../../src/schema/plugin.ts';
import { captureLog, fixtureDirs, inMemoryPackages, label, manifest, REPO_ROOT } from './fixtures.ts';

/** A schema with only the `plugins` query: the contract of src/schema/plugin.ts on its own. */
function pluginSchema() {
  const builder = createBuilder();
  builder.queryType({});
  addPlugins(builder);
  return builder.toSchema({ sortSchema: true });
}

const QUERY = `query ($status: PluginStatus) {
  plugins(status: $status) {
    name version apiVersion description status error errors dependsOn sourceKinds
    lifters { id handles ownedKinds }
    actions { action aliases takesPath mutates }
  }
}`;

async function run(catalogue: PluginCatalogue, variables: Record<string, unknown> = {}) {
  return graphql({ schema: pluginSchema(), source: QUERY, variableValues: variables, contextValue: { plugins: catalogue } });
}

describe('query plugins', () => {
  it('has the documented types', () => {
    const schema = pluginSchema();
    const fieldsOf = (name: string) => {
      const type = schema.getType(name);
      if (!isObjectType(type)) throw new Error(`${name} is not an object type`);
      return Object.fromEntries(Object.values(type.getFields()).map((f) => [f.name, String(f.type)]));
    };
    const status = schema.getType('PluginStatus');
    expect(isEnumType(status) && status.getValues().map((v) => v.name)).toEqual(['DISABLED', 'FAILED', 'LOADED']);
    expect(fieldsOf('Plugin')).toEqual({
      actions: '[PluginAction!]!',
      apiVersion: 'String',
      dependsOn: '[String!]!',
      description: 'String',
      error: 'String',
      errors: '[String!]!',
      lifters: '[PluginLifter!]!',
      name: 'String!',
      sourceKinds: '[String!]!',
      status: 'PluginStatus!',
      version: 'String',
    });
    expect(fieldsOf('PluginLifter')).toEqual({ handles: '[String!]!', id: 'String!', ownedKinds: '[String!]!' });
    expect(fieldsOf('PluginAction')).toEqual({ action: 'String!', aliases: '[String!]!', mutates: 'Boolean!', takesPath: 'Boolean!' });
    expect(String(schema.getQueryType()?.getFields().plugins?.type)).toBe('[Plugin!]!');
  });

  it('lists loaded, failed and disabled plugins with their errors', async () => {
    const write = {
      action: 'write_file',
      aliases: ['edit'],
      description: 'Writes.',
      takesPath: true,
      mutates: true,
      parseParams: (p: unknown) => p as { path: string },
      pathOf: (p: { path: string }) => p.path,
      execute: async () => ({ ok: true, output: {} }),
    };
    const packages = inMemoryPackages({ writer: manifest('writer', { provides: { actions: ['write_file'] }, actions: [write] }) });
    const registry = await loadPlugins({ pluginDirs: fixtureDirs('good', 'missing-dependency'), ...packages, disabled: ['main-field'], log: captureLog(), root: REPO_ROOT });
    const result = await run(registry);
    expect(result.errors).toBeUndefined();
    expect(result.data?.plugins).toEqual([
      {
        name: 'hello-lifter',
        version: '0.1.0',
        apiVersion: '1.0.0',
        description: 'Repeated commands from one host.',
        status: 'LOADED',
        error: null,
        errors: [],
        dependsOn: [],
        sourceKinds: [],
        lifters: [{ id: 'hello-lifter/repeated-command', handles: ['command'], ownedKinds: ['lifter:repeated-command'] }],
        actions: [],
      },
      expect.objectContaining({ name: 'js-plugin', status: 'LOADED', sourceKinds: ['dns_query'] }),
      { ...nulls('main-field'), status: 'DISABLED' },
      {
        name: 'needs-ghost',
        version: '1.0.0',
        apiVersion: '1.0.0',
        description: 'Needs ghost-plugin.',
        status: 'FAILED',
        error: `plugin ${label('missing-dependency', 'needs-ghost')}: depends on "ghost-plugin", which is not installed`,
        errors: [`plugin ${label('missing-dependency', 'needs-ghost')}: depends on "ghost-plugin", which is not installed`],
        dependsOn: ['ghost-plugin'],
        sourceKinds: [],
        lifters: [],
        actions: [],
      },
      expect.objectContaining({ name: 'standalone', status: 'LOADED' }),
      expect.objectContaining({ name: 'writer', actions: [{ action: 'write_file', aliases: ['edit'], takesPath: true, mutates: true }] }),
    ]);
  });

  it('filters by status and joins several errors into error', async () => {
    const registry = await loadPlugins({ pluginDirs: fixtureDirs('duplicate-lifter-a', 'duplicate-lifter-b', 'api-major'), log: captureLog() });
    const result = await run(registry, { status: 'FAILED' });
    const plugins = result.data?.plugins as { name: string; error: string; errors: string[] }[];
    expect(plugins.map((p) => p.name)).toEqual(['future-api', 'twin', 'twin']);
    expect(plugins[1]?.errors).toHaveLength(2);
    expect(plugins[1]?.error).toBe(plugins[1]?.errors.join('\n'));
  });
});

function nulls(name: string) {
  return { name, version: null, apiVersion: null, description: null, error: null, errors: [], dependsOn: [], sourceKinds: [], lifters: [], actions: [] };
}
