import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LifterDefinition } from '../plugins/api.ts';

/**
 * What the bundled plugins contribute to a rule pack, for `gatehouse rules lint` to check ownership
 * without starting the server. A stopgap until the plugin host (src/plugins/) is the one way to load
 * plugins: this imports each `<dir>/*\/index.ts` (or `index.js`) and reads its default export's
 * `lifters` and `sourceKinds`, checking only what linting needs. It runs no plugin `setup`. A missing
 * plugins folder means no plugins; a plugin that fails to import is reported, not thrown.
 */
export interface BundledPlugins {
  lifters: LifterDefinition<unknown>[];
  /** Source kind names the plugins add. */
  sourceKinds: string[];
  /** One message per plugin that could not be imported or exports something malformed. */
  problems: string[];
}

const isStrings = (list: unknown): list is string[] => Array.isArray(list) && list.every((x) => typeof x === 'string');

function isLifter(value: unknown): value is LifterDefinition<unknown> {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.id === 'string' && isStrings(v.owns) && isStrings(v.handles) && typeof v.parseParams === 'function' && typeof v.create === 'function';
}

async function entryOf(dir: string): Promise<string | null> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const entry = ['index.ts', 'index.js'].find((n) => names.includes(n));
  return entry ? path.join(dir, entry) : null;
}

export async function loadBundledPlugins(pluginsDir: string): Promise<BundledPlugins> {
  const entries = await readdir(pluginsDir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const result: BundledPlugins = { lifters: [], sourceKinds: [], problems: [] };
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  for (const name of folders.sort((a, b) => a.localeCompare(b, 'en'))) {
    const entry = await entryOf(path.join(pluginsDir, name));
    if (!entry) continue;
    let exported: unknown;
    try {
      exported = ((await import(pathToFileURL(entry).href)) as { default?: unknown }).default;
    } catch (err) {
      result.problems.push(`plugin ${name}: could not be imported: ${(err as Error).message}`);
      continue;
    }
    const plugin = exported !== null && typeof exported === 'object' ? (exported as { lifters?: unknown; sourceKinds?: unknown }) : {};
    if (plugin.lifters !== undefined) {
      if (Array.isArray(plugin.lifters) && plugin.lifters.every(isLifter)) result.lifters.push(...plugin.lifters);
      else result.problems.push(`plugin ${name}: 'lifters' must be a list of lifter definitions (id, handles, owns, parseParams, create)`);
    }
    if (plugin.sourceKinds !== undefined) {
      const kinds = Array.isArray(plugin.sourceKinds) ? plugin.sourceKinds.map((k: unknown) => (k as { kind?: unknown } | null)?.kind) : null;
      if (isStrings(kinds)) result.sourceKinds.push(...kinds);
      else result.problems.push(`plugin ${name}: 'sourceKinds' must be a list of source kind definitions with a 'kind'`);
    }
  }
  return result;
}
