import { describe, expect, it } from 'vitest';
import { loadPlugins, PluginLoadError } from '../../src/plugins/load-plugins.ts';
import { captureLog, fixtureDirs, label, REPO_ROOT } from './fixtures.ts';

describe('strict plugin loading', () => {
  it('throws one error listing every problem, after collecting all of them', async () => {
    const attempt = loadPlugins({
      pluginDirs: fixtureDirs('api-major', 'missing-dependency', 'no-such-case'),
      strict: true,
      log: captureLog(),
      root: REPO_ROOT,
    });
    const problems = [
      'plugin folder test/fixtures/plugins/no-such-case does not exist',
      `plugin ${label('api-major', 'future-api')}: written for plugin API 2.0.0 but this Gatehouse provides 1.0.0; install a plugin release for API 1.x or upgrade Gatehouse`,
      `plugin ${label('missing-dependency', 'needs-ghost')}: depends on "ghost-plugin", which is not installed`,
    ];
    await expect(attempt).rejects.toThrow(new PluginLoadError(problems));
    await expect(attempt).rejects.toMatchObject({ problems });
    await expect(attempt).rejects.toThrow(`strict plugin loading refused to start: 3 problems\n  ${problems.join('\n  ')}`);
  });

  it('runs no plugin setup when it has already found a problem', async () => {
    const log = captureLog();
    await expect(loadPlugins({ pluginDirs: fixtureDirs('dependency-order', 'api-minor'), strict: true, log })).rejects.toBeInstanceOf(PluginLoadError);
    expect(log.lines.filter((l) => 'step' in l.obj)).toEqual([]);
  });

  it('disposes the plugins it set up before throwing for a setup failure', async () => {
    const log = captureLog();
    await expect(loadPlugins({ pluginDirs: fixtureDirs('dependency-order', 'setup-throws'), strict: true, log, root: REPO_ROOT })).rejects.toThrow(
      new PluginLoadError([
        `plugin ${label('setup-throws', 'bad-setup')}: setup failed: database at 10.0.0.9:5432 is unreachable`,
        `plugin ${label('setup-throws', 'needs-bad-setup')}: depends on "bad-setup", which FAILED to load`,
      ]),
    );
    const steps = log.lines.filter((l) => 'step' in l.obj).map((l) => `${String(l.obj.step)} ${String(l.obj.plugin)}`);
    expect(steps).toEqual(['setup c-base', 'setup b-middle', 'setup a-top', 'dispose a-top', 'dispose b-middle', 'dispose c-base']);
  });

  it('returns the registry when nothing is wrong', async () => {
    const registry = await loadPlugins({ pluginDirs: fixtureDirs('good'), strict: true, log: captureLog() });
    expect(registry.list().every((p) => p.status === 'LOADED')).toBe(true);
  });
});
