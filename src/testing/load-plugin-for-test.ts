import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionHandlerDefinition, LifterDefinition, SourceKindDefinition } from '../plugins/api.ts';
import { candidateFromFolder } from '../plugins/discover-plugins.ts';
import { loadCandidates } from '../plugins/load-plugins.ts';
import type { PluginHostLogger, PluginRecord } from '../plugins/plugin-registry.ts';

/** A plugin loaded by {@link loadPluginForTest}, with lookups that fail loudly. */
export interface TestPlugin {
  readonly record: PluginRecord;
  /** The lifter with this id; throws listing the ids the plugin has. */
  lifter(id: string): LifterDefinition<unknown>;
  /** The action handler for this kind or alias; throws listing the kinds the plugin has. */
  action(kind: string): ActionHandlerDefinition<unknown>;
  /** The source kind with this name; throws listing the kinds the plugin has. */
  sourceKind(kind: string): SourceKindDefinition;
  /** Calls the plugin's (and its dependencies') `dispose`. */
  dispose(): Promise<void>;
}

export interface LoadPluginForTestOptions {
  /** Folders of plugins it depends on, loaded alongside it with the same checks. */
  readonly dependencies?: readonly (string | URL)[];
  /** Receives the host's and the plugin's log lines (default: discarded). */
  readonly log?: PluginHostLogger;
}

const SILENT: PluginHostLogger = { debug() {}, info() {}, warn() {}, error() {} };

const toPath = (dir: string | URL) => path.resolve(dir instanceof URL ? fileURLToPath(dir) : dir);

/**
 * Loads ONE plugin folder exactly as the server would (manifest, API version, conflicts, dependencies,
 * `setup`) and throws an Error listing every problem when it would be refused.
 */
export async function loadPluginForTest(dir: string | URL, options: LoadPluginForTestOptions = {}): Promise<TestPlugin> {
  const folder = toPath(dir);
  const folders = [folder, ...(options.dependencies ?? []).map(toPath)];
  const candidates = await Promise.all(folders.map((f) => candidateFromFolder(f)));
  candidates.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const registry = await loadCandidates(candidates, [], { log: options.log ?? SILENT });
  const records = registry.list();
  const record = records.find((r) => r.location === folder) as PluginRecord;
  const errors = records.flatMap((r) => r.errors);
  if (errors.length > 0) {
    await registry.dispose();
    throw new Error(`plugin ${record.label} failed to load:\n  ${errors.join('\n  ')}`);
  }
  const pick = <T>(what: string, items: readonly T[], key: (item: T) => readonly string[], wanted: string): T => {
    const found = items.find((item) => key(item).includes(wanted));
    if (found === undefined) {
      throw new Error(`plugin ${record.name} has no ${what} ${JSON.stringify(wanted)}; it has: ${items.map((i) => key(i)[0]).join(', ') || 'none'}`);
    }
    return found;
  };
  return {
    record,
    lifter: (id) => pick('lifter', record.lifters, (l) => [l.id], id),
    action: (kind) => pick('action', record.actions, (a) => [a.action, ...(a.aliases ?? [])], kind),
    sourceKind: (kind) => pick('source kind', record.sourceKinds, (k) => [k.kind], kind),
    dispose: () => registry.dispose(),
  };
}
