import { PLUGIN_API_VERSION, type PluginContext, type PluginDefinition } from './api.ts';
import { findDefinitionConflicts, findNameConflicts } from './cross-plugin-checks.ts';
import { discoverPlugins, type PluginCandidate } from './discover-plugins.ts';
import { importPluginModule, inspectCandidate, type ImportModule } from './inspect-candidate.ts';
import type { ParsedPlugin } from './parse-manifest.ts';
import { dependencyProblem, planDependencies } from './plugin-dependencies.ts';
import { createPluginRegistry, type PluginHostLogger, type PluginRecord, type PluginRegistry, type PluginStatus } from './plugin-registry.ts';
import { errorMessage } from './plugin-values.ts';

/**
 * The plugin host's one entry point (issue "tagging" A.3, A.4). Order of work, and why:
 * discover → import and validate each plugin on its own → conflicts between plugins → dependencies →
 * `setup` in dependency order. Every problem is collected before anything is decided, so one run
 * reports all of them. A refused plugin is FAILED with its messages and the rest still load, unless
 * `strict` is on: then one {@link PluginLoadError} lists every problem. No plugin's `setup` runs when
 * strict mode has already found a problem, so nothing has to be undone.
 */
export interface LoadPluginsOptions {
  /** Folders whose subfolders are plugins, bundled `plugins/` first. */
  readonly pluginDirs: readonly string[];
  /** npm package names to load as plugins. */
  readonly packages?: readonly string[];
  /** Any problem is fatal (`GATEHOUSE_STRICT_PLUGINS=1`). */
  readonly strict?: boolean;
  readonly log: PluginHostLogger;
  /** Plugin names to list as DISABLED without importing them. */
  readonly disabled?: readonly string[];
  /** Folder that locations in messages are relative to (default: the working directory). */
  readonly root?: string;
  /** Source kinds Gatehouse itself defines, which no plugin may define again. */
  readonly reservedSourceKinds?: readonly string[];
  /** Longest a plugin's `setup` may take (default 10 s); longer is a failure. */
  readonly setupTimeoutMs?: number;
  /** How entries are imported; tests replace it to stand in for npm packages. */
  readonly importModule?: ImportModule;
  /** The plugin API version this host provides (default {@link PLUGIN_API_VERSION}); tests vary it. */
  readonly hostApiVersion?: string;
}

/** Strict mode's refusal: every problem found, one per line in the message and in `problems`. */
export class PluginLoadError extends Error {
  override name = 'PluginLoadError';
  constructor(readonly problems: readonly string[]) {
    super(`strict plugin loading refused to start: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n  ${problems.join('\n  ')}`);
  }
}

export async function loadPlugins(options: LoadPluginsOptions): Promise<PluginRegistry> {
  const { candidates, problems } = await discoverPlugins({ pluginDirs: options.pluginDirs, packages: options.packages ?? [], root: options.root });
  return loadCandidates(candidates, problems, options);
}

interface Slot {
  readonly key: number;
  readonly candidate: PluginCandidate;
  status: PluginStatus | 'PENDING';
  errors: string[];
  facts: Pick<PluginRecord, 'version' | 'apiVersion' | 'description'>;
  parsed: ParsedPlugin | null;
}

/** Loads already-discovered candidates; `loadPlugins` and the test kit share it. */
export async function loadCandidates(
  candidates: readonly PluginCandidate[],
  discoveryProblems: readonly string[],
  options: Omit<LoadPluginsOptions, 'pluginDirs' | 'packages' | 'root'>,
): Promise<PluginRegistry> {
  const disabled = new Set(options.disabled ?? []);
  const importModule = options.importModule ?? importPluginModule;
  const hostApiVersion = options.hostApiVersion ?? PLUGIN_API_VERSION;
  const slots: Slot[] = candidates.map((candidate, key) => ({
    key,
    candidate,
    status: disabled.has(candidate.name) ? 'DISABLED' : 'PENDING',
    errors: [],
    facts: { version: null, apiVersion: null, description: null },
    parsed: null,
  }));
  const refuse = (slot: Slot, messages: readonly string[], prefixed = false) => {
    if (messages.length === 0) return;
    slot.status = 'FAILED';
    slot.errors.push(...(prefixed ? messages : messages.map((m) => `plugin ${slot.candidate.label}: ${m}`)));
  };
  const pending = () => slots.filter((slot) => slot.status === 'PENDING');

  // Sequential, so plugins' top-level code runs in a predictable order.
  for (const slot of pending()) {
    const report = await inspectCandidate(slot.candidate, { importModule, hostApiVersion });
    slot.facts = { version: report.version, apiVersion: report.apiVersion, description: report.description };
    slot.parsed = report.parsed;
    refuse(slot, report.errors, true);
  }

  // Both conflict checks see the same set, so two same-named plugins also hear about their lifter ids.
  const live = slots.filter((slot) => slot.status !== 'DISABLED');
  const valid = slots.filter((slot) => slot.parsed !== null);
  const names = findNameConflicts(live.map((slot) => ({ key: slot.key, name: slot.candidate.name, label: slot.candidate.label })));
  const definitions = findDefinitionConflicts(
    valid.map((slot) => ({ key: slot.key, name: slot.candidate.name, label: slot.candidate.label, ...provided(slot.parsed?.definition) })),
    options.reservedSourceKinds ?? [],
  );
  for (const slot of live) refuse(slot, [...(names.get(slot.key) ?? []), ...(definitions.get(slot.key) ?? [])]);

  const unusable = new Map(slots.flatMap((slot) => (slot.status === 'FAILED' || slot.status === 'DISABLED' ? [[slot.candidate.name, slot.status] as const] : [])));
  const plan = planDependencies(
    pending().map((slot) => ({ key: slot.key, name: slot.candidate.name, dependsOn: slot.parsed?.manifest.dependsOn ?? [] })),
    unusable,
  );
  for (const slot of pending()) refuse(slot, plan.problems.get(slot.key) ?? []);

  const problemsSoFar = () => [...discoveryProblems, ...slots.flatMap((slot) => slot.errors)];
  if (options.strict && problemsSoFar().length > 0) throw new PluginLoadError(problemsSoFar());

  const loadedSlots: Slot[] = [];
  for (const key of plan.order) {
    const slot = slots[key] as Slot;
    const definition = slot.parsed?.definition as PluginDefinition;
    // A dependency can still fail here, in its own setup, after the plan was made.
    const brokenDependency = (slot.parsed?.manifest.dependsOn ?? []).find((name) => !loadedSlots.some((s) => s.candidate.name === name));
    if (brokenDependency !== undefined) {
      refuse(slot, [dependencyProblem(brokenDependency, 'FAILED')]);
      continue;
    }
    const failure = await runSetup(definition, pluginContext(slot.candidate.name, options.log), options.setupTimeoutMs ?? 10_000);
    if (failure !== null) refuse(slot, [failure]);
    else {
      slot.status = 'LOADED';
      loadedSlots.push(slot);
    }
  }

  const records = slots.map(toRecord);
  const loaded = loadedSlots.map((slot) => {
    const definition = slot.parsed?.definition;
    return { record: records[slot.key] as PluginRecord, dispose: definition?.dispose ? async () => definition.dispose?.() : undefined };
  });
  const registry = createPluginRegistry({ records, loaded, discoveryProblems, log: options.log });
  for (const problem of discoveryProblems) options.log.error({ problem }, problem);
  for (const name of disabled) {
    if (!slots.some((slot) => slot.candidate.name === name)) options.log.warn({ plugin: name }, `plugin ${name} is listed as disabled but is not installed`);
  }
  for (const record of records) {
    if (record.status === 'FAILED') options.log.error({ plugin: record.name, location: record.location, errors: record.errors }, `plugin ${record.label} failed to load`);
    else options.log.info({ plugin: record.name, version: record.version, status: record.status }, `plugin ${record.name} ${record.status.toLowerCase()}`);
  }
  if (options.strict && problemsSoFar().length > 0) {
    await registry.dispose();
    throw new PluginLoadError(problemsSoFar());
  }
  return registry;
}

function provided(definition: PluginDefinition | undefined): Pick<PluginRecord, 'lifters' | 'actions' | 'sourceKinds'> {
  return { lifters: definition?.lifters ?? [], actions: definition?.actions ?? [], sourceKinds: definition?.sourceKinds ?? [] };
}

function toRecord(slot: Slot): PluginRecord {
  const { candidate, parsed } = slot;
  const status: PluginStatus = slot.status === 'PENDING' ? 'FAILED' : slot.status;
  return {
    name: candidate.name,
    ...(parsed ? { version: parsed.manifest.version, apiVersion: parsed.manifest.apiVersion, description: parsed.manifest.description } : slot.facts),
    status,
    errors: [...slot.errors],
    source: candidate.source,
    location: candidate.location,
    label: candidate.label,
    dependsOn: parsed?.manifest.dependsOn ?? [],
    ...provided(parsed?.definition),
  };
}

function pluginContext(name: string, log: PluginHostLogger): PluginContext {
  const bind = (write: (obj: object, msg?: string) => void) => (obj: object, msg?: string) => write.call(log, { plugin: name, ...obj }, msg);
  return { name, log: { debug: bind(log.debug), info: bind(log.info), warn: bind(log.warn), error: bind(log.error) } };
}

/** Runs `setup` under a deadline; returns why it failed, or null. */
async function runSetup(definition: PluginDefinition, ctx: PluginContext, timeoutMs: number): Promise<string | null> {
  if (!definition.setup) return null;
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`setup did not finish within ${timeoutMs} ms`), timeoutMs);
    });
    const done = Promise.resolve()
      .then(() => definition.setup?.(ctx))
      .then(() => null);
    return await Promise.race([done, deadline]);
  } catch (err) {
    return `setup failed: ${errorMessage(err)}`;
  } finally {
    clearTimeout(timer);
  }
}
