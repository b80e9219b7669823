import { describe, expect, it } from 'vitest';
import { loadPlugins } from '../../src/plugins/load-plugins.ts';
import { captureLog, fixtureDirs, inMemoryPackages, label, manifest, REPO_ROOT } from './fixtures.ts';

const load = (cases: string[], extra: Partial<Parameters<typeof loadPlugins>[0]> = {}) =>
  loadPlugins({ pluginDirs: fixtureDirs(...cases), log: captureLog(), root: REPO_ROOT, ...extra });

const statuses = (registry: Awaited<ReturnType<typeof loadPlugins>>) => registry.list().map((p) => [p.name, p.status]);

describe('loadPlugins', () => {
  it('loads a TypeScript plugin, a JavaScript plugin and a package.json "main" plugin with no build step', async () => {
    const registry = await load(['good']);
    expect(statuses(registry)).toEqual([
      ['hello-lifter', 'LOADED'],
      ['js-plugin', 'LOADED'],
      ['main-field', 'LOADED'],
    ]);
    expect(registry.get('hello-lifter')).toMatchObject({
      version: '0.1.0',
      apiVersion: '1.0.0',
      description: 'Repeated commands from one host.',
      status: 'LOADED',
      errors: [],
      source: 'folder',
      label: label('good', 'hello-lifter'),
      dependsOn: [],
    });
    expect(registry.lifters().map((l) => l.id)).toEqual(['hello-lifter/repeated-command']);
    expect(registry.sourceKinds().map((k) => k.kind)).toEqual(['dns_query']);
    expect(registry.actions()).toEqual([]);
    expect([...registry.ruleKindOwners()]).toEqual([['lifter:repeated-command', 'hello-lifter/repeated-command']]);
    expect(registry.discoveryProblems()).toEqual([]);
  });

  it('reports every problem of a broken manifest at once, with the exact messages', async () => {
    const registry = await load(['broken-manifest']);
    const at = `plugin ${label('broken-manifest', 'broken-manifest')}: `;
    expect(registry.list()).toHaveLength(1);
    expect(registry.get('broken-manifest')).toMatchObject({ status: 'FAILED', version: 'one', apiVersion: null, description: null, lifters: [], actions: [] });
    expect(registry.get('broken-manifest')?.errors).toEqual([
      `${at}'version' must be a semver version like "1.4.2", got "one"`,
      `${at}'apiVersion' must be a semver string like "1.0.0", got 2`,
      `${at}'description' must be a non-empty string, got nothing`,
      `${at}'lifters[0].owns[0]' must be a rule kind like "lifter:brute-force", got "brute-force"`,
      `${at}'actions[0].action' must be a snake_case action kind like "write_file", got "writeFile"`,
      `${at}'actions[0].mutates' must be true or false, got "yes"`,
      `${at}'dependOn' is not a known field`,
      `${at}'name' must equal the folder name "broken-manifest", got "other-name"`,
      `${at}'lifters[0].id' must start with the plugin name "broken-manifest/", got "someone-else/echo"`,
      `${at}'actions[0].pathOf' is required when 'takesPath' is true, got nothing`,
      `${at}'provides.lifters' lists "broken-manifest/ghost", but no lifter with that id is defined`,
      `${at}lifter "someone-else/echo" is defined but missing from 'provides.lifters'`,
    ]);
  });

  it('refuses a plugin written for plugin API 2.0.0, quoting both versions, and loads the others', async () => {
    const registry = await load(['api-major']);
    expect(statuses(registry)).toEqual([
      ['future-api', 'FAILED'],
      ['good-neighbour', 'LOADED'],
    ]);
    expect(registry.get('future-api')?.errors).toEqual([
      `plugin ${label('api-major', 'future-api')}: written for plugin API 2.0.0 but this Gatehouse provides 1.0.0; install a plugin release for API 1.x or upgrade Gatehouse`,
    ]);
    expect(registry.get('future-api')).toMatchObject({ version: '3.0.0', apiVersion: '2.0.0', description: 'Needs plugin API 2.' });
  });

  it('refuses a plugin that needs a newer minor version of the API than the host provides', async () => {
    const registry = await load(['api-minor']);
    expect(registry.get('newer-minor')?.errors).toEqual([
      `plugin ${label('api-minor', 'newer-minor')}: written for plugin API 1.1.0 but this Gatehouse provides 1.0.0, which lacks what API 1.1 added; upgrade Gatehouse or install a plugin release for API 1.0`,
    ]);
  });

  it('loads a plugin for an older minor version on a newer host', async () => {
    expect(statuses(await load(['api-minor'], { hostApiVersion: '1.3.0' }))).toEqual([['newer-minor', 'LOADED']]);
  });

  it('lists a plugin whose import throws as FAILED with the error, and loads the rest', async () => {
    const registry = await load(['import-throws']);
    expect(statuses(registry)).toEqual([
      ['explodes', 'FAILED'],
      ['survivor', 'LOADED'],
    ]);
    expect(registry.get('explodes')).toMatchObject({
      version: null,
      apiVersion: null,
      description: null,
      errors: [`plugin ${label('import-throws', 'explodes')}: importing index.ts failed: cannot find native module "libpcap"`],
    });
  });

  it('refuses a folder with no entry file, saying what to add', async () => {
    const registry = await load(['no-entry']);
    expect(registry.list().map((p) => [p.name, p.status, p.errors])).toEqual([
      ['bad-main', 'FAILED', [`plugin ${label('no-entry', 'bad-main')}: package.json "main" names dist/index.js, which does not exist`]],
      ['empty-folder', 'FAILED', [`plugin ${label('no-entry', 'empty-folder')}: has no entry file: add index.ts or index.js, or a package.json "main"`]],
    ]);
  });

  it('refuses a plugin whose setup throws and every plugin that depends on it, and never disposes it', async () => {
    const log = captureLog();
    const registry = await load(['setup-throws'], { log });
    expect(registry.list().map((p) => [p.name, p.status, p.errors])).toEqual([
      ['bad-setup', 'FAILED', [`plugin ${label('setup-throws', 'bad-setup')}: setup failed: database at 10.0.0.9:5432 is unreachable`]],
      ['fine-setup', 'LOADED', []],
      ['needs-bad-setup', 'FAILED', [`plugin ${label('setup-throws', 'needs-bad-setup')}: depends on "bad-setup", which FAILED to load`]],
    ]);
    await registry.dispose();
    expect(log.lines.filter((l) => l.msg?.includes('dispose'))).toEqual([]);
  });

  it('gives setup a logger that names the plugin', async () => {
    const log = captureLog();
    await load(['setup-throws'], { log });
    expect(log.lines).toContainEqual({ level: 'info', obj: { plugin: 'fine-setup', ready: true }, msg: 'fine-setup ready' });
  });

  it('lists disabled plugins as DISABLED without importing them, and refuses what depends on them', async () => {
    const registry = await load(['good', 'dependency-order'], { disabled: ['js-plugin', 'c-base'] });
    expect(registry.list().map((p) => [p.name, p.status, p.version, p.errors])).toEqual([
      ['a-top', 'FAILED', '1.0.0', [`plugin ${label('dependency-order', 'a-top')}: depends on "b-middle", which FAILED to load`]],
      ['b-middle', 'FAILED', '1.0.0', [`plugin ${label('dependency-order', 'b-middle')}: depends on "c-base", which is disabled`]],
      ['c-base', 'DISABLED', null, []],
      ['hello-lifter', 'LOADED', '0.1.0', []],
      ['js-plugin', 'DISABLED', null, []],
      ['main-field', 'LOADED', '1.0.0', []],
    ]);
    expect(registry.sourceKinds()).toEqual([]);
  });

  it('warns about a disabled plugin name that matches nothing, since it is probably a typo', async () => {
    const log = captureLog();
    await load(['api-minor'], { disabled: ['newer-minr'], log });
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([
      { level: 'warn', obj: { plugin: 'newer-minr' }, msg: 'plugin newer-minr is listed as disabled but is not installed' },
    ]);
  });

  it('loads npm packages named after their unscoped package name', async () => {
    const packages = inMemoryPackages({ '@acme/dns-tools': manifest('dns-tools'), 'wrong-name': manifest('right-name') });
    const registry = await loadPlugins({ pluginDirs: [], ...packages, log: captureLog(), root: REPO_ROOT });
    expect(registry.list().map((p) => [p.name, p.status, p.source, p.location, p.errors])).toEqual([
      ['@acme/dns-tools', 'LOADED', 'package', '@acme/dns-tools', []],
      ['wrong-name', 'FAILED', 'package', 'wrong-name', [`plugin package wrong-name: 'name' must equal the package name "wrong-name", got "right-name"`]],
    ]);
  });

  it('refuses a package that cannot be imported', async () => {
    const registry = await loadPlugins({ pluginDirs: [], packages: ['gatehouse-plugin-not-installed'], log: captureLog() });
    const [record] = registry.list();
    expect(record?.status).toBe('FAILED');
    expect(record?.errors).toHaveLength(1);
    expect(record?.errors[0]).toMatch(/^plugin package gatehouse-plugin-not-installed: importing gatehouse-plugin-not-installed failed: .*gatehouse-plugin-not-installed/);
  });

  it('counts a setup that never finishes as a failure', async () => {
    const packages = inMemoryPackages({ 'slow-setup': manifest('slow-setup', { setup: () => new Promise(() => {}) }) });
    const registry = await loadPlugins({ pluginDirs: [], ...packages, log: captureLog(), setupTimeoutMs: 20 });
    expect(registry.get('slow-setup')?.errors).toEqual(['plugin package slow-setup: setup did not finish within 20 ms']);
  });

  it('refuses a plugin whose manifest throws while it is read', async () => {
    const exploding = Object.defineProperty(manifest('getter-trap'), 'lifters', {
      enumerable: true,
      get() {
        throw new Error('lazy lifters failed');
      },
    });
    const registry = await loadPlugins({ pluginDirs: [], ...inMemoryPackages({ 'getter-trap': exploding }), log: captureLog() });
    expect(registry.get('getter-trap')?.errors).toEqual(['plugin package getter-trap: reading the manifest failed: lazy lifters failed']);
  });

  it('disposes loaded plugins once, in reverse load order, logging a dispose that throws and carrying on', async () => {
    const disposed: string[] = [];
    const packages = inMemoryPackages({
      first: manifest('first', { dispose: () => void disposed.push('first') }),
      second: manifest('second', {
        dependsOn: ['first'],
        dispose() {
          disposed.push('second');
          throw new Error('socket already closed');
        },
      }),
    });
    const log = captureLog();
    const registry = await loadPlugins({ pluginDirs: [], ...packages, log });
    await Promise.all([registry.dispose(), registry.dispose()]);
    await registry.dispose();
    expect(disposed).toEqual(['second', 'first']);
    expect(log.lines.filter((l) => l.level === 'error').map((l) => [l.msg, (l.obj.err as Error).message])).toEqual([['plugin second: dispose failed', 'socket already closed']]);
  });

  it('reports a plugin dir that does not exist and still loads the plugins it found', async () => {
    const registry = await load(['no-such-case', 'api-major']);
    expect(registry.discoveryProblems()).toEqual(['plugin folder test/fixtures/plugins/no-such-case does not exist']);
    expect(registry.get('good-neighbour')?.status).toBe('LOADED');
  });

  it('logs each refused plugin with all its errors', async () => {
    const log = captureLog();
    await load(['api-major'], { log });
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([
      {
        level: 'error',
        obj: {
          plugin: 'future-api',
          location: `${REPO_ROOT}/test/fixtures/plugins/api-major/future-api`,
          errors: [
            `plugin ${label('api-major', 'future-api')}: written for plugin API 2.0.0 but this Gatehouse provides 1.0.0; install a plugin release for API 1.x or upgrade Gatehouse`,
          ],
        },
        msg: `plugin ${label('api-major', 'future-api')} failed to load`,
      },
    ]);
  });
});
