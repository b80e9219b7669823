import { describe, expect, it } from 'vitest';
import { defineLifter } from '../../src/plugins/api.ts';
import { loadPlugins } from '../../src/plugins/load-plugins.ts';
import { captureLog, fixtureDirs, inMemoryPackages, label, manifest, REPO_ROOT } from './fixtures.ts';

const errorsByLabel = (registry: Awaited<ReturnType<typeof loadPlugins>>) => registry.list().map((p) => [p.label, p.status, p.errors]);

describe('conflicts between plugins', () => {
  it('refuses both plugins that define the same lifter id, each message naming the other', async () => {
    const registry = await loadPlugins({ pluginDirs: fixtureDirs('duplicate-lifter-a', 'duplicate-lifter-b'), log: captureLog(), root: REPO_ROOT });
    const a = label('duplicate-lifter-a', 'twin');
    const b = label('duplicate-lifter-b', 'twin');
    expect(errorsByLabel(registry)).toEqual([
      [
        a,
        'FAILED',
        [
          `plugin ${a}: plugin name "twin" is also used by ${b}; plugin names must be unique`,
          `plugin ${a}: lifter id "twin/echo" is also defined by plugin twin (${b}); lifter ids must be unique`,
        ],
      ],
      [
        b,
        'FAILED',
        [
          `plugin ${b}: plugin name "twin" is also used by ${a}; plugin names must be unique`,
          `plugin ${b}: lifter id "twin/echo" is also defined by plugin twin (${a}); lifter ids must be unique`,
        ],
      ],
    ]);
    expect(registry.lifters()).toEqual([]);
  });

  it('refuses both plugins whose lifters own the same rule kind, naming both lifters', async () => {
    const registry = await loadPlugins({ pluginDirs: fixtureDirs('duplicate-owned-kind'), log: captureLog(), root: REPO_ROOT });
    const alpha = label('duplicate-owned-kind', 'alpha-lifters');
    const beta = label('duplicate-owned-kind', 'beta-lifters');
    expect(errorsByLabel(registry)).toEqual([
      [
        alpha,
        'FAILED',
        [
          `plugin ${alpha}: rule kind "lifter:brute-force" is owned here by lifter "alpha-lifters/brute-force" and also by lifter "beta-lifters/brute-force" of plugin beta-lifters (${beta}); each rule kind must have one owner`,
        ],
      ],
      [
        beta,
        'FAILED',
        [
          `plugin ${beta}: rule kind "lifter:brute-force" is owned here by lifter "beta-lifters/brute-force" and also by lifter "alpha-lifters/brute-force" of plugin alpha-lifters (${alpha}); each rule kind must have one owner`,
        ],
      ],
    ]);
    expect(registry.ruleKindOwners().size).toBe(0);
  });

  it('refuses both plugins that claim the same action kind through an alias, naming both owners', async () => {
    const registry = await loadPlugins({ pluginDirs: fixtureDirs('duplicate-action-alias'), log: captureLog(), root: REPO_ROOT });
    const alpha = label('duplicate-action-alias', 'alpha-actions');
    const beta = label('duplicate-action-alias', 'beta-actions');
    expect(errorsByLabel(registry)).toEqual([
      [
        alpha,
        'FAILED',
        [
          `plugin ${alpha}: action kind "edit" is claimed here as an alias of "write_file" and by plugin beta-actions (${beta}) as an alias of "edit_file"; each action kind and alias must have one owner`,
        ],
      ],
      [
        beta,
        'FAILED',
        [
          `plugin ${beta}: action kind "edit" is claimed here as an alias of "edit_file" and by plugin alpha-actions (${alpha}) as an alias of "write_file"; each action kind and alias must have one owner`,
        ],
      ],
    ]);
    expect(registry.actions()).toEqual([]);
  });

  it('refuses an alias that equals another plugin\'s action kind', async () => {
    const handler = (action: string, aliases: string[]) => ({
      action,
      aliases,
      description: `${action}.`,
      takesPath: false,
      mutates: false,
      parseParams: (p: unknown) => p,
      execute: async () => ({ ok: true, output: {} }),
    });
    const packages = inMemoryPackages({
      lister: manifest('lister', { provides: { actions: ['list_dir'] }, actions: [handler('list_dir', [])] }),
      shell: manifest('shell', { provides: { actions: ['run_command'] }, actions: [handler('run_command', ['list_dir'])] }),
    });
    const registry = await loadPlugins({ pluginDirs: [], ...packages, log: captureLog() });
    expect(registry.list().map((p) => p.errors)).toEqual([
      [
        'plugin package lister: action kind "list_dir" is claimed here as an action and by plugin shell (package shell) as an alias of "run_command"; each action kind and alias must have one owner',
      ],
      [
        'plugin package shell: action kind "list_dir" is claimed here as an alias of "run_command" and by plugin lister (package lister) as an action; each action kind and alias must have one owner',
      ],
    ]);
  });

  it('refuses a source kind defined twice or already built into Gatehouse', async () => {
    const kind = (name: string) => ({ kind: name, description: `${name}.`, fields: {}, parsePayload: (p: unknown) => p as Record<string, unknown> });
    const packages = inMemoryPackages({
      'dns-a': manifest('dns-a', { provides: { sourceKinds: ['dns_query'] }, sourceKinds: [kind('dns_query')] }),
      'dns-b': manifest('dns-b', { provides: { sourceKinds: ['dns_query', 'command'] }, sourceKinds: [kind('dns_query'), kind('command')] }),
    });
    const registry = await loadPlugins({ pluginDirs: [], ...packages, log: captureLog(), reservedSourceKinds: ['command', 'auth_attempt'] });
    expect(registry.list().map((p) => p.errors)).toEqual([
      ['plugin package dns-a: source kind "dns_query" is also defined by plugin dns-b (package dns-b); source kinds must be unique'],
      [
        'plugin package dns-b: source kind "dns_query" is also defined by plugin dns-a (package dns-a); source kinds must be unique',
        'plugin package dns-b: source kind "command" is built into Gatehouse; choose another name',
      ],
    ]);
  });

  it('lets a disabled plugin keep its name and kinds out of every conflict', async () => {
    const registry = await loadPlugins({
      pluginDirs: fixtureDirs('duplicate-owned-kind', 'duplicate-lifter-a'),
      disabled: ['beta-lifters'],
      log: captureLog(),
    });
    expect(registry.list().map((p) => [p.name, p.status])).toEqual([
      ['alpha-lifters', 'LOADED'],
      ['beta-lifters', 'DISABLED'],
      ['twin', 'LOADED'],
    ]);
    expect([...registry.ruleKindOwners()]).toEqual([
      ['lifter:brute-force', 'alpha-lifters/brute-force'],
      ['lifter:echo-a', 'twin/echo'],
    ]);
  });

  it('does not hold conflicts against a plugin that failed its own checks', async () => {
    const lifter = (plugin: string) =>
      defineLifter({ id: `${plugin}/burst`, description: 'Burst.', handles: ['command'], owns: ['lifter:burst'], parseParams: (p) => p, create: () => ({ process: () => [] }) });
    const packages = inMemoryPackages({
      broken: manifest('broken', { apiVersion: '9.0.0', provides: { lifters: ['broken/burst'] }, lifters: [lifter('broken')] }),
      healthy: manifest('healthy', { provides: { lifters: ['healthy/burst'] }, lifters: [lifter('healthy')] }),
    });
    const registry = await loadPlugins({ pluginDirs: [], ...packages, log: captureLog() });
    expect(registry.list().map((p) => [p.name, p.status])).toEqual([
      ['broken', 'FAILED'],
      ['healthy', 'LOADED'],
    ]);
  });
});
