import { readFile } from 'node:fs/promises';
import path from 'node:path';
// The test kit through the package's own name, as a third-party plugin imports it: bundled plugin
// files import nothing from src/ but the plugin API (test/architecture.test.ts).
import { loadPluginForTest } from 'gatehouse/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLUGIN_API_VERSION } from '../../src/plugins/api.ts';
import { createCoreActionHandlers } from './core-action-handlers.ts';
import plugin from './index.ts';
import { createTempProject, type TempProject } from './test-harness.ts';

let project: TempProject;
beforeEach(async () => {
  project = await createTempProject();
});
afterEach(async () => {
  await project.cleanup();
});

describe('core-actions plugin', () => {
  it('is accepted by the host, with every action and alias', async () => {
    const loaded = await loadPluginForTest(new URL('.', import.meta.url));
    expect(loaded.record).toMatchObject({ name: 'core-actions', status: 'LOADED', apiVersion: PLUGIN_API_VERSION, errors: [] });
    expect(loaded.record.actions.map((a) => [a.action, a.aliases ?? [], a.takesPath, a.mutates])).toEqual([
      ['read_file', [], true, false],
      ['write_file', ['edit', 'create'], true, true],
      ['patch_file', [], true, true],
      ['delete_file', [], true, true],
      ['list_dir', [], true, false],
    ]);
    expect(loaded.action('edit').action).toBe('write_file');
    expect(loaded.action('create').action).toBe('write_file');
    await loaded.dispose();
  });

  it('runs a write, a patch, a read, a listing and a delete as the gateway would', async () => {
    // What the gateway does: find the handler by kind or alias, parse the raw params, pass the checked path.
    const run = async (kind: string, raw: { path: string } & Record<string, unknown>) => {
      const handler = (plugin.actions ?? []).find((h) => h.action === kind || (h.aliases ?? []).includes(kind));
      if (handler === undefined) throw new Error(`no handler for ${kind}`);
      return (await handler.execute(handler.parseParams(raw), project.ctx(raw.path))).output;
    };
    expect(await run('create', { path: 'a.txt', content: 'one two' })).toEqual({ bytesWritten: 7, created: true });
    expect(await run('patch_file', { path: 'a.txt', old_string: 'two', new_string: 'three' })).toEqual({ bytesWritten: 9 });
    expect(await run('read_file', { path: 'a.txt' })).toEqual({ content: 'one three', bytes: 9, truncated: false });
    expect(await run('list_dir', { path: '.' })).toEqual({ entries: [{ name: 'a.txt', type: 'file', size: 9 }], truncated: false });
    expect(await readFile(path.join(project.root, 'a.txt'), 'utf8')).toBe('one three');
    expect(await run('delete_file', { path: 'a.txt' })).toEqual({ deleted: true });
    expect(await run('list_dir', { path: '.' })).toEqual({ entries: [], truncated: false });
  });

  it('builds an independent set of handlers on each call', () => {
    const first = createCoreActionHandlers();
    const second = createCoreActionHandlers();
    expect(first.map((h) => h.action)).toEqual(second.map((h) => h.action));
    expect(first[1]).not.toBe(second[1]);
  });

  it('describes every action', () => {
    for (const handler of plugin.actions ?? []) expect(handler.description.length).toBeGreaterThan(20);
  });
});
