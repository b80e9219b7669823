import type { ActionHandlerDefinition, LifterDefinition, SourceKindDefinition } from './api.ts';

/**
 * What loading produced (issue "tagging" A.4, A.5): one record per discovered plugin, whatever its
 * fate, and accessors over what the LOADED plugins provide. A plugin that refused to load is a value
 * here (CONVENTIONS "Errors"), listed with its errors; it provides nothing.
 */

/** LOADED: validated and set up. FAILED: refused, see `errors`. DISABLED: switched off by config, never imported. */
export const PLUGIN_STATUSES = ['LOADED', 'FAILED', 'DISABLED'] as const;
export type PluginStatus = (typeof PLUGIN_STATUSES)[number];

export interface PluginRecord {
  /** The folder (or package) name; the manifest's `name` must equal it. */
  readonly name: string;
  /** From the manifest; null when the manifest could not be read (or, when FAILED, was not a string). */
  readonly version: string | null;
  readonly apiVersion: string | null;
  readonly description: string | null;
  readonly status: PluginStatus;
  /** Every reason the plugin was refused, each a full message naming the plugin; empty unless FAILED. */
  readonly errors: readonly string[];
  readonly source: 'folder' | 'package';
  /** Absolute folder path, or the package specifier. */
  readonly location: string;
  /** How messages name the plugin, e.g. `plugins/credential-lifter`. */
  readonly label: string;
  readonly dependsOn: readonly string[];
  /**
   * What the plugin defines when its manifest was valid, even if it FAILED later (so operators can see
   * what is missing). Only LOADED plugins' definitions are returned by the registry's accessors.
   */
  readonly lifters: readonly LifterDefinition<unknown>[];
  readonly actions: readonly ActionHandlerDefinition<unknown>[];
  readonly sourceKinds: readonly SourceKindDefinition[];
}

export interface PluginRegistry {
  /** Every discovered plugin, sorted by name. */
  list(): readonly PluginRecord[];
  /** The record named `name` (the first one, if the name was duplicated). */
  get(name: string): PluginRecord | undefined;
  /** Lifters of LOADED plugins, in load (dependency) order. */
  lifters(): readonly LifterDefinition<unknown>[];
  /** Action handlers of LOADED plugins, in load order; each kind and alias has exactly one owner. */
  actions(): readonly ActionHandlerDefinition<unknown>[];
  /** Source kinds added by LOADED plugins, in load order. */
  sourceKinds(): readonly SourceKindDefinition[];
  /** Owned rule kind (`lifter:<name>`) → the id of the LOADED lifter that owns it. */
  ruleKindOwners(): ReadonlyMap<string, string>;
  /** Problems not tied to one plugin, e.g. a configured plugin dir that does not exist. */
  discoveryProblems(): readonly string[];
  /** Calls each LOADED plugin's `dispose` in reverse load order; failures are logged, never thrown. Idempotent. */
  dispose(): Promise<void>;
}

/** The logger the host writes to (a pino logger fits). */
export interface PluginHostLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface RegistryParts {
  /** All records, in the order `list()` returns them. */
  readonly records: readonly PluginRecord[];
  /** LOADED plugins in dependency order, each with its `dispose` hook if it has one. */
  readonly loaded: readonly { readonly record: PluginRecord; readonly dispose?: () => void | Promise<void> }[];
  readonly discoveryProblems: readonly string[];
  readonly log: PluginHostLogger;
}

export function createPluginRegistry(parts: RegistryParts): PluginRegistry {
  const loaded = parts.loaded.map((entry) => entry.record);
  const owners = new Map<string, string>();
  for (const lifter of loaded.flatMap((record) => record.lifters)) {
    for (const kind of lifter.owns) owners.set(kind, lifter.id);
  }
  let disposing: Promise<void> | undefined;
  return {
    list: () => parts.records,
    get: (name) => parts.records.find((record) => record.name === name),
    lifters: () => loaded.flatMap((record) => record.lifters),
    actions: () => loaded.flatMap((record) => record.actions),
    sourceKinds: () => loaded.flatMap((record) => record.sourceKinds),
    ruleKindOwners: () => owners,
    discoveryProblems: () => parts.discoveryProblems,
    dispose() {
      disposing ??= (async () => {
        for (const { record, dispose } of [...parts.loaded].reverse()) {
          if (!dispose) continue;
          try {
            await dispose();
          } catch (err) {
            parts.log.error({ err, plugin: record.name }, `plugin ${record.name}: dispose failed`);
          }
        }
      })();
      return disposing;
    },
  };
}
