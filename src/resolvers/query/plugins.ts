import type { Context } from '../context.ts';

/**
 * Query `plugins` (issue "tagging" A.5). The types below are what this layer reads from the plugin
 * host, declared here rather than imported because resolvers depend on nothing above the engine
 * (DESIGN §4, test/architecture.test.ts); src/plugins' `PluginRegistry` satisfies `PluginCatalogue`
 * structurally, and the composition root's typecheck proves it.
 */
export const PLUGIN_STATUSES = ['LOADED', 'FAILED', 'DISABLED'] as const;
export type PluginStatusValue = (typeof PLUGIN_STATUSES)[number];

export interface PluginLifterView {
  readonly id: string;
  readonly handles: readonly string[];
  readonly owns: readonly string[];
}

export interface PluginActionView {
  readonly action: string;
  readonly aliases?: readonly string[];
  readonly takesPath: boolean;
  readonly mutates: boolean;
}

export interface PluginView {
  readonly name: string;
  readonly version: string | null;
  readonly apiVersion: string | null;
  readonly description: string | null;
  readonly status: PluginStatusValue;
  readonly errors: readonly string[];
  readonly dependsOn: readonly string[];
  readonly lifters: readonly PluginLifterView[];
  readonly actions: readonly PluginActionView[];
  readonly sourceKinds: readonly { readonly kind: string }[];
}

/** What the GraphQL layer needs from the plugin host. */
export interface PluginCatalogue {
  list(): readonly PluginView[];
}

/** Every discovered plugin, sorted by name, optionally only those with one status. */
export function plugins(args: { status?: PluginStatusValue | null }, ctx: Context): readonly PluginView[] {
  const all = ctx.plugins.list();
  return args.status ? all.filter((plugin) => plugin.status === args.status) : all;
}
