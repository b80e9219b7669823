import { PLUGIN_STATUSES, plugins, type PluginActionView, type PluginLifterView, type PluginView } from '../resolvers/query/plugins.ts';
import type { Builder } from './builder.ts';

/** Types `Plugin`, `PluginLifter`, `PluginAction`, `PluginStatus` and query `plugins` (issue "tagging" A.5). */
export function addPlugins(builder: Builder): void {
  const Status = builder.enumType('PluginStatus', {
    description: 'LOADED: validated and set up. FAILED: refused at start-up (see errors); it provides nothing. DISABLED: switched off by configuration, never imported.',
    values: PLUGIN_STATUSES,
  });

  const Lifter = builder.objectRef<PluginLifterView>('PluginLifter').implement({
    description: 'A lifter a plugin defines: it sees events of the kinds it handles and owns rules by match.kind.',
    fields: (t) => ({
      id: t.exposeString('id', { description: '<plugin>/<lifter>, e.g. credential-lifter/brute-force.' }),
      handles: t.stringList({ description: 'Source kinds it sees.', resolve: (l) => [...l.handles] }),
      ownedKinds: t.stringList({ description: 'Rule kinds it owns, e.g. lifter:brute-force.', resolve: (l) => [...l.owns] }),
    }),
  });

  const Action = builder.objectRef<PluginActionView>('PluginAction').implement({
    description: 'An action handler a plugin defines for the policy gateway.',
    fields: (t) => ({
      action: t.exposeString('action', { description: 'snake_case action kind, e.g. write_file.' }),
      aliases: t.stringList({ description: 'Other names agents may use for it.', resolve: (a) => [...(a.aliases ?? [])] }),
      takesPath: t.exposeBoolean('takesPath', { description: 'Whether the gateway checks a target path for it.' }),
      mutates: t.exposeBoolean('mutates', { description: 'Whether it changes anything.' }),
    }),
  });

  const Plugin = builder.objectRef<PluginView>('Plugin').implement({
    description: 'A discovered plugin, whether it loaded or not. A plugin that refused to load is listed with its errors.',
    fields: (t) => ({
      name: t.exposeString('name', { description: 'kebab-case; equals its folder (or package) name.' }),
      version: t.exposeString('version', { nullable: true, description: 'The plugin release; null when its manifest could not be read.' }),
      apiVersion: t.exposeString('apiVersion', { nullable: true, description: 'The plugin API version it was written for; null when its manifest could not be read.' }),
      description: t.exposeString('description', { nullable: true }),
      status: t.field({ type: Status, resolve: (p) => p.status }),
      error: t.string({
        nullable: true,
        description: 'Every reason it was refused, joined with newlines; null unless FAILED.',
        resolve: (p) => (p.errors.length > 0 ? p.errors.join('\n') : null),
      }),
      errors: t.stringList({ description: 'Every reason it was refused, one message each; empty unless FAILED.', resolve: (p) => [...p.errors] }),
      dependsOn: t.stringList({ description: 'Plugins that load before it.', resolve: (p) => [...p.dependsOn] }),
      lifters: t.field({ type: [Lifter], description: 'What it defines (also listed when FAILED; only a LOADED plugin provides it).', resolve: (p) => [...p.lifters] }),
      actions: t.field({ type: [Action], description: 'What it defines (also listed when FAILED; only a LOADED plugin provides it).', resolve: (p) => [...p.actions] }),
      sourceKinds: t.stringList({ description: 'Source kinds it adds.', resolve: (p) => p.sourceKinds.map((k) => k.kind) }),
    }),
  });

  builder.queryField('plugins', (t) =>
    t.field({
      type: [Plugin],
      description: 'Every discovered plugin, sorted by name, with its status and, when refused, why.',
      args: { status: t.arg({ type: Status, required: false, description: 'Only plugins with this status.' }) },
      resolve: (_root, args, ctx) => plugins(args, ctx),
    }),
  );
}
