import { describe, expect, it } from 'vitest';
import { loadPlugins } from '../../src/plugins/load-plugins.ts';
import { planDependencies } from '../../src/plugins/plugin-dependencies.ts';
import { captureLog, fixtureDirs, label, REPO_ROOT } from './fixtures.ts';

describe('plugin dependencies', () => {
  it('refuses a plugin whose dependency is not installed, naming it, and loads the rest', async () => {
    const registry = await loadPlugins({ pluginDirs: fixtureDirs('missing-dependency'), log: captureLog(), root: REPO_ROOT });
    expect(registry.list().map((p) => [p.name, p.status, p.errors])).toEqual([
      ['needs-ghost', 'FAILED', [`plugin ${label('missing-dependency', 'needs-ghost')}: depends on "ghost-plugin", which is not installed`]],
      ['standalone', 'LOADED', []],
    ]);
  });

  it('refuses every plugin on a cycle with the cycle spelled out, and what depends on it', async () => {
    const registry = await loadPlugins({ pluginDirs: fixtureDirs('dependency-cycle'), log: captureLog(), root: REPO_ROOT });
    const at = (name: string) => `plugin ${label('dependency-cycle', name)}: `;
    expect(registry.list().map((p) => [p.name, p.status, p.errors])).toEqual([
      ['after-cycle', 'FAILED', [`${at('after-cycle')}depends on "cycle-a", which FAILED to load`]],
      ['cycle-a', 'FAILED', [`${at('cycle-a')}dependency cycle: cycle-a → cycle-b → cycle-c → cycle-a`]],
      ['cycle-b', 'FAILED', [`${at('cycle-b')}dependency cycle: cycle-b → cycle-c → cycle-a → cycle-b`]],
      ['cycle-c', 'FAILED', [`${at('cycle-c')}dependency cycle: cycle-c → cycle-a → cycle-b → cycle-c`]],
      ['self-loop', 'FAILED', [`${at('self-loop')}dependency cycle: self-loop → self-loop`]],
    ]);
  });

  it('sets plugins up in dependency order and disposes them in reverse, whatever their names', async () => {
    const log = captureLog();
    const registry = await loadPlugins({ pluginDirs: fixtureDirs('dependency-order'), log, root: REPO_ROOT });
    expect(registry.list().map((p) => [p.name, p.status, p.dependsOn])).toEqual([
      ['a-top', 'LOADED', ['b-middle']],
      ['b-middle', 'LOADED', ['c-base']],
      ['c-base', 'LOADED', []],
    ]);
    await registry.dispose();
    const steps = log.lines.filter((l) => 'step' in l.obj).map((l) => `${String(l.obj.step)} ${String(l.obj.plugin)}`);
    expect(steps).toEqual(['setup c-base', 'setup b-middle', 'setup a-top', 'dispose a-top', 'dispose b-middle', 'dispose c-base']);
  });

  it('plans the shortest cycle from each member and keeps name order among independent plugins', () => {
    const nodes = [
      { key: 0, name: 'a', dependsOn: ['b'] },
      { key: 1, name: 'b', dependsOn: ['a', 'c'] },
      { key: 2, name: 'c', dependsOn: ['b'] },
      { key: 3, name: 'd', dependsOn: [] },
      { key: 4, name: 'e', dependsOn: ['f', 'gone'] },
      { key: 5, name: 'f', dependsOn: [] },
      { key: 6, name: 'g', dependsOn: ['broken', 'off'] },
    ];
    const plan = planDependencies(nodes, new Map([['broken', 'FAILED'], ['off', 'DISABLED']]));
    expect(plan.order).toEqual([3, 5]);
    expect(Object.fromEntries(plan.problems)).toEqual({
      0: ['dependency cycle: a → b → a'],
      1: ['dependency cycle: b → a → b'],
      2: ['dependency cycle: c → b → c'],
      4: ['depends on "gone", which is not installed'],
      6: ['depends on "broken", which FAILED to load', 'depends on "off", which is disabled'],
    });
  });
});
