import pino from 'pino';
import type { LifterDefinition } from '../plugins/api.ts';
import { loadPlugins } from '../plugins/load-plugins.ts';

/**
 * What a plugin folder contributes to a rule pack, for `gatehouse rules lint` and `rules test
 * --lifters`, loaded by the real plugin host (same validation as the server). A missing folder means
 * no plugins; a plugin that fails is reported, not thrown.
 */
export interface BundledPlugins {
  lifters: LifterDefinition<unknown>[];
  /** Source kind names the plugins add. */
  sourceKinds: string[];
  /** One message per problem: failed plugins and discovery problems. */
  problems: string[];
  /** Runs the plugins' dispose hooks; call it when done with the lifters. */
  dispose(): Promise<void>;
}

export async function loadBundledPlugins(pluginsDir: string): Promise<BundledPlugins> {
  const registry = await loadPlugins({ pluginDirs: [pluginsDir], log: pino({ level: 'silent' }) });
  return {
    lifters: [...registry.lifters()],
    sourceKinds: registry.sourceKinds().map((k) => k.kind),
    problems: [
      ...registry.discoveryProblems().filter((p) => !/does not exist|no such/i.test(p)),
      ...registry.list().flatMap((p) => (p.status === 'FAILED' ? p.errors.map((e) => `plugin ${p.name}: ${e}`) : [])),
    ],
    dispose: () => registry.dispose(),
  };
}
