import { describe, expect, it } from 'vitest';
import { createReadinessRegistry } from '../../src/engine/readiness/readiness-registry.ts';
import { loadPlugins } from '../../src/plugins/load-plugins.ts';
import { createPluginProbe } from '../../src/plugins/plugin-probe.ts';
import { captureLog, fixtureDirs, label, REPO_ROOT } from './fixtures.ts';

describe('plugins readiness probe', () => {
  it('is UP when no plugin failed, disabled ones included', async () => {
    const registry = await loadPlugins({ pluginDirs: fixtureDirs('good'), disabled: ['js-plugin'], log: captureLog() });
    const probe = createPluginProbe(registry);
    expect(probe).toMatchObject({ name: 'plugins', critical: false });
    expect(await probe.check()).toEqual({ status: 'UP', reason: null });
  });

  it('is DEGRADED with a reason and one hint per failed plugin and per folder problem', async () => {
    const registry = await loadPlugins({ pluginDirs: fixtureDirs('api-major', 'missing-dependency', 'no-such-case'), log: captureLog(), root: REPO_ROOT });
    expect(await createPluginProbe(registry).check()).toEqual({
      status: 'DEGRADED',
      reason: '2 plugins failed to load: future-api, needs-ghost; 1 plugin folder problem',
      hints: [
        {
          code: 'plugin_failed',
          severity: 'WARNING',
          message: `plugin ${label('api-major', 'future-api')}: written for plugin API 2.0.0 but this Gatehouse provides 1.0.0; install a plugin release for API 1.x or upgrade Gatehouse`,
        },
        { code: 'plugin_failed', severity: 'WARNING', message: `plugin ${label('missing-dependency', 'needs-ghost')}: depends on "ghost-plugin", which is not installed` },
        { code: 'plugin_discovery_failed', severity: 'WARNING', message: 'plugin folder test/fixtures/plugins/no-such-case does not exist' },
      ],
    });
  });

  it('makes the server DEGRADED, never UNAVAILABLE', async () => {
    const registry = await loadPlugins({ pluginDirs: fixtureDirs('import-throws'), log: captureLog() });
    const readiness = createReadinessRegistry();
    readiness.register(createPluginProbe(registry));
    const { readiness: report } = await readiness.refresh();
    expect(report.state).toBe('DEGRADED');
    expect(report.subsystems).toEqual([{ name: 'plugins', status: 'DEGRADED', reason: '1 plugin failed to load: explodes' }]);
  });
});
