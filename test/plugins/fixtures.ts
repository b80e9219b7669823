import path from 'node:path';
import { importPluginModule, type ImportModule } from '../../src/plugins/inspect-candidate.ts';
import type { PluginHostLogger } from '../../src/plugins/plugin-registry.ts';

/** Shared by the plugin host tests: where the broken fixtures live and a logger that remembers. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/plugins');

/** Absolute paths of fixture cases (each a plugin dir). */
export const fixtureDirs = (...cases: string[]): string[] => cases.map((c) => path.join(FIXTURES, c));

/** How messages name a fixture plugin: its path relative to the repository root. */
export const label = (fixtureCase: string, plugin: string): string => `test/fixtures/plugins/${fixtureCase}/${plugin}`;

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string | undefined;
}

export function captureLog(): PluginHostLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const write = (level: LogLine['level']) => (obj: object, msg?: string) => void lines.push({ level, obj: { ...obj }, msg });
  return { lines, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/**
 * Stands in for npm packages: each key is a package name whose module default-exports the value.
 * Lets a test build a plugin in memory and load it through the real host.
 */
export function inMemoryPackages(plugins: Record<string, unknown>): { packages: string[]; importModule: ImportModule } {
  return {
    packages: Object.keys(plugins),
    importModule: async (entry, candidate) => {
      if (candidate.source === 'folder') return importPluginModule(entry, candidate);
      if (!Object.hasOwn(plugins, entry)) throw new Error(`Cannot find package '${entry}'`);
      return { default: plugins[entry] };
    },
  };
}

/** A minimal valid manifest for an in-memory plugin. */
export const manifest = (name: string, extra: Record<string, unknown> = {}) => ({ name, version: '1.0.0', apiVersion: '1.0.0', description: `${name}.`, ...extra });
