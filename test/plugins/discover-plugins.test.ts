import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverPlugins } from '../../src/plugins/discover-plugins.ts';
import { FIXTURES, REPO_ROOT, fixtureDirs, label } from './fixtures.ts';

describe('plugin discovery', () => {
  it('finds every plugin folder sorted by name, skipping . and _ folders and plain files', async () => {
    const { candidates, problems } = await discoverPlugins({ pluginDirs: fixtureDirs('good'), packages: [], root: REPO_ROOT });
    expect(problems).toEqual([]);
    expect(candidates).toEqual([
      {
        name: 'hello-lifter',
        source: 'folder',
        entry: path.join(FIXTURES, 'good/hello-lifter/index.ts'),
        location: path.join(FIXTURES, 'good/hello-lifter'),
        label: label('good', 'hello-lifter'),
        error: null,
      },
      {
        name: 'js-plugin',
        source: 'folder',
        entry: path.join(FIXTURES, 'good/js-plugin/index.js'),
        location: path.join(FIXTURES, 'good/js-plugin'),
        label: label('good', 'js-plugin'),
        error: null,
      },
      {
        name: 'main-field',
        source: 'folder',
        entry: path.join(FIXTURES, 'good/main-field/lib/entry.js'),
        location: path.join(FIXTURES, 'good/main-field'),
        label: label('good', 'main-field'),
        error: null,
      },
    ]);
  });

  it('turns a folder with no entry into a candidate carrying a clear error', async () => {
    const { candidates } = await discoverPlugins({ pluginDirs: fixtureDirs('no-entry'), packages: [], root: REPO_ROOT });
    expect(candidates.map((c) => [c.name, c.entry, c.error])).toEqual([
      ['bad-main', null, `plugin ${label('no-entry', 'bad-main')}: package.json "main" names dist/index.js, which does not exist`],
      ['empty-folder', null, `plugin ${label('no-entry', 'empty-folder')}: has no entry file: add index.ts or index.js, or a package.json "main"`],
    ]);
  });

  it('merges several plugin dirs by name, keeping dir order for equal names, packages included', async () => {
    const { candidates } = await discoverPlugins({
      pluginDirs: fixtureDirs('duplicate-lifter-b', 'duplicate-lifter-a', 'missing-dependency'),
      packages: ['@acme/gatehouse-dns', 'zz-plugin'],
      root: REPO_ROOT,
    });
    expect(candidates.map((c) => [c.name, c.label])).toEqual([
      ['@acme/gatehouse-dns', 'package @acme/gatehouse-dns'],
      ['needs-ghost', label('missing-dependency', 'needs-ghost')],
      ['standalone', label('missing-dependency', 'standalone')],
      ['twin', label('duplicate-lifter-b', 'twin')],
      ['twin', label('duplicate-lifter-a', 'twin')],
      ['zz-plugin', 'package zz-plugin'],
    ]);
    expect(candidates[0]).toMatchObject({ source: 'package', entry: '@acme/gatehouse-dns', location: '@acme/gatehouse-dns', error: null });
  });

  it('reports a plugin dir that does not exist, and a package entry that is not a package name', async () => {
    const { candidates, problems } = await discoverPlugins({ pluginDirs: fixtureDirs('no-such-case'), packages: ['./local-folder'], root: REPO_ROOT });
    expect(problems).toEqual(['plugin folder test/fixtures/plugins/no-such-case does not exist']);
    expect(candidates).toEqual([
      {
        name: './local-folder',
        source: 'package',
        entry: null,
        location: './local-folder',
        label: 'package ./local-folder',
        error: 'plugin package ./local-folder: "./local-folder" is not an npm package name; put plugin folders in a plugin dir instead',
      },
    ]);
  });

  it('lists a plugin dir given twice only once', async () => {
    const dir = path.join(FIXTURES, 'good');
    const { candidates } = await discoverPlugins({ pluginDirs: [dir, `${dir}/`, 'test/fixtures/plugins/good'], packages: [], root: REPO_ROOT });
    expect(candidates.map((c) => c.name)).toEqual(['hello-lifter', 'js-plugin', 'main-field']);
  });

  it('labels plugins outside the root with their absolute path', async () => {
    const { candidates } = await discoverPlugins({ pluginDirs: fixtureDirs('api-minor'), packages: [], root: path.join(REPO_ROOT, 'src') });
    expect(candidates.map((c) => c.label)).toEqual([path.join(FIXTURES, 'api-minor/newer-minor')]);
  });
});
