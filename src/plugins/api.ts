/**
 * The Gatehouse plugin API: the only module a plugin may import from Gatehouse.
 *
 * A plugin is a folder under `plugins/` (or a folder named in `GATEHOUSE_PLUGIN_DIRS`, or an npm package
 * named in the config) whose entry (`index.ts` or `index.js`) default-exports `definePlugin({...})`.
 * TypeScript entries load with no build step. The manifest fields are data: the host validates them
 * before it registers anything, and reports every problem at once.
 *
 * Compatibility: a plugin declares the `apiVersion` it was written for. The host loads it when the
 * major versions are equal and the host's minor version is at least the plugin's.
 */

/** Version of this API. Same major and host minor ≥ plugin minor means compatible. */
export const PLUGIN_API_VERSION = '1.0.0';

// ---------------------------------------------------------------------------------------------
// Events

/**
 * An event as lifters see it: already validated against its source kind's payload schema.
 * `occurredAt` is event time, which drives every window so replays give the same tags at any speed.
 */
export interface PluginEvent {
  /** e.g. `command`, `http_request`, `auth_attempt`, `session`, `agent_action`, or a plugin's own kind. */
  readonly sourceKind: string;
  /** Identifies the event within its source kind; with the kind, it makes tags idempotent. */
  readonly sourceId: string;
  readonly occurredAt: Date;
  readonly attackerId: string | null;
  readonly sessionId: string | null;
  readonly host: string | null;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** What a rule says to emit: one ATT&CK technique (optionally a sub-technique) under one tactic. */
export interface RuleEmit {
  /** Tactic id, e.g. `TA0006`. */
  readonly tactic: string;
  /** Parent technique id, e.g. `T1110`. */
  readonly techniqueId: string;
  /** Sub-technique id, e.g. `T1110.001`, or null. */
  readonly subTechniqueId: string | null;
  /** Base confidence 0..1 (the rule's state may cap it). */
  readonly confidence: number;
}

// ---------------------------------------------------------------------------------------------
// Lifters

/**
 * A rule a lifter owns: a rule file whose `match.kind` is `lifter:<name>` for a kind the lifter lists
 * in `owns`. `params` is the rest of the rule's `match` object, already checked by `parseParams`.
 */
export interface LifterRule<Params = Record<string, unknown>> {
  readonly ruleId: string;
  readonly ruleVersion: number;
  /** The `match.kind` value, e.g. `lifter:brute-force`. */
  readonly kind: string;
  readonly params: Params;
  readonly emits: readonly RuleEmit[];
}

/**
 * A lifter's conclusion about one event: "rule `ruleId` fires here". The engine turns it into tags
 * using the rule's `emits`, applies the rule's state (disabled, clipped) and the confidence floor, and
 * gives each tag a stable id. A finding for a rule the lifter does not own is ignored and counted.
 */
export interface LifterFinding {
  readonly ruleId: string;
  /** Why it fired, stored on the tag (e.g. `{ failures: 12, windowSeconds: 300 }`). */
  readonly evidence?: Readonly<Record<string, unknown>>;
  /** Optional confidence for this finding, capped at each emit's base confidence. */
  readonly confidence?: number;
}

/** What a lifter instance receives with each event. */
export interface LifterInput<Params> {
  readonly event: PluginEvent;
  /** The lifter's rules that apply to this event's source kind and are not disabled. */
  readonly rules: readonly LifterRule<Params>[];
}

/** A live lifter: created once per tagging engine (so a replay run gets fresh state). */
export interface LifterInstance<Params> {
  /** Looks at one event and returns findings. Must not block for long: see `budgetMs`. */
  process(input: LifterInput<Params>): readonly LifterFinding[] | Promise<readonly LifterFinding[]>;
}

export interface LifterDefinition<Params = Record<string, unknown>> {
  /** `<plugin>/<lifter>`, kebab-case, e.g. `credential-lifter/brute-force`. */
  readonly id: string;
  readonly description: string;
  /** Source kinds this lifter wants to see. */
  readonly handles: readonly string[];
  /** Rule kinds it owns, each `lifter:<name>`, e.g. `lifter:brute-force`. */
  readonly owns: readonly string[];
  /**
   * Per-event time budget in milliseconds (default 50). Over budget, or throwing, yields no tags for
   * that event; the failure is counted per lifter and logged, and the server keeps running.
   */
  readonly budgetMs?: number;
  /**
   * Checks one owned rule's `match` parameters (without `kind`) and returns them typed. Throw an Error
   * whose message names the parameter and the value; the rule is then reported as a load error.
   */
  parseParams(params: Readonly<Record<string, unknown>>, kind: string): Params;
  /** Creates the lifter's state. Called once per tagging engine instance. */
  create(): LifterInstance<Params>;
}

/** Typed identity helper for a lifter definition. */
export function defineLifter<Params>(definition: LifterDefinition<Params>): LifterDefinition<Params> {
  return definition;
}

/**
 * Counts per key over event time, for windowed detections (N failures per source within W minutes).
 * Entries older than the window are dropped as time advances; memory is bounded by `maxKeys`
 * (when it is passed, the least recently touched tenth of the keys is evicted) and by
 * `maxEntriesPerKey` (a key's oldest entries go first), so one noisy source cannot grow a window
 * without limit. A threshold above `maxEntriesPerKey` can never be reached: keep the cap above the
 * largest count a rule asks for.
 */
export interface EventTimeWindow<Value> {
  /** Records `value` for `key` at `at` and returns the entries still inside the window, oldest first. */
  add(key: string, at: Date, value: Value): readonly { at: number; value: Value }[];
  /** Entries for `key` inside the window ending at `at`. */
  get(key: string, at: Date): readonly { at: number; value: Value }[];
  /** Forgets `key` (e.g. after a detection, to avoid re-firing on every later event). */
  clear(key: string): void;
  readonly size: number;
}

/** Creates an {@link EventTimeWindow} of `windowMs` milliseconds; `maxKeys` 100,000 and `maxEntriesPerKey` 1,000 by default. */
export function createEventTimeWindow<Value>(options: { windowMs: number; maxKeys?: number; maxEntriesPerKey?: number }): EventTimeWindow<Value> {
  const maxKeys = options.maxKeys ?? 100_000;
  const maxEntries = options.maxEntriesPerKey ?? 1000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`createEventTimeWindow: maxEntriesPerKey must be a positive integer, got ${maxEntries}`);
  const entries = new Map<string, { at: number; value: Value }[]>();
  // In bulk, a tenth of maxKeys at a time: a Map's iterator starts by walking past the holes that
  // deleted keys leave until V8 compacts the table, so evicting one key per add made a flood of new
  // keys cost up to the whole table per event (measured: 30-100 µs per add at 100,000 keys).
  const evictLeastRecent = () => {
    let excess = entries.size - maxKeys + Math.ceil(maxKeys / 10);
    for (const key of entries.keys()) {
      if (excess <= 0) break;
      entries.delete(key);
      excess -= 1;
    }
  };
  const prune = (list: { at: number; value: Value }[], now: number) => {
    const cutoff = now - options.windowMs;
    let drop = 0;
    while (drop < list.length && (list[drop] as { at: number }).at <= cutoff) drop += 1;
    if (drop > 0) list.splice(0, drop);
    return list;
  };
  return {
    add(key, at, value) {
      const now = at.getTime();
      const list = entries.get(key) ?? [];
      entries.delete(key); // re-insert: Map order is least-recently-touched first
      prune(list, now);
      // Keep time order; events usually arrive in order, so the scan from the end stops at once.
      let i = list.length;
      while (i > 0 && (list[i - 1] as { at: number }).at > now) i -= 1;
      list.splice(i, 0, { at: now, value });
      if (list.length > maxEntries) list.splice(0, list.length - maxEntries);
      entries.set(key, list);
      if (entries.size > maxKeys) evictLeastRecent();
      return list;
    },
    get(key, at) {
      const list = entries.get(key);
      return list ? prune(list, at.getTime()) : [];
    },
    clear(key) {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Source kinds

/** A source kind a plugin adds, with the schema its payloads must satisfy. */
export interface SourceKindDefinition {
  /** snake_case, e.g. `dns_query`. */
  readonly kind: string;
  readonly description: string;
  /** Payload fields, documented for rule authors: name → description. */
  readonly fields: Readonly<Record<string, string>>;
  /** Validates a payload; throw an Error naming the field and the value on bad input. */
  parsePayload(payload: unknown): Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Action handlers (used by the policy gateway)

/** Where an action runs, as the gateway resolved it. */
export interface ActionContext {
  /** Canonical absolute project root every path must stay inside. */
  readonly projectRoot: string;
  /** The canonical absolute target path the gateway checked, or null for pathless actions. */
  readonly targetPath: string | null;
  /** True in replays and dry-run requests: describe what would happen, change nothing. */
  readonly dryRun: boolean;
  /** Largest content the handler may read or write, in bytes. */
  readonly maxContentBytes: number;
}

/** The outcome of an action, returned to the agent and recorded in the audit log. */
export interface ActionResult {
  readonly ok: boolean;
  /** JSON-serialisable result, e.g. `{ content }` for a read or `{ bytesWritten }` for a write. */
  readonly output: Readonly<Record<string, unknown>>;
}

export interface ActionHandlerDefinition<Params = Record<string, unknown>> {
  /** snake_case action kind as agents send it, e.g. `write_file`. */
  readonly action: string;
  /** Other names agents may use for the same action, e.g. `edit`, `create`. */
  readonly aliases?: readonly string[];
  readonly description: string;
  /** Whether the action acts on a path. Pathless actions must say so: nothing is skipped silently. */
  readonly takesPath: boolean;
  /** Whether the action changes anything (reads and listings do not). */
  readonly mutates: boolean;
  /** Validates params; throw an Error naming the parameter and the value (the request is denied `invalid_params`). */
  parseParams(params: unknown): Params;
  /** The path the action targets, relative to the project root or absolute; required when `takesPath`. */
  pathOf?(params: Params): string;
  /** Performs the action (or, with `ctx.dryRun`, describes it without side effects). */
  execute(params: Params, ctx: ActionContext): Promise<ActionResult>;
}

/** Typed identity helper for an action handler. */
export function defineActionHandler<Params>(definition: ActionHandlerDefinition<Params>): ActionHandlerDefinition<Params> {
  return definition;
}

// ---------------------------------------------------------------------------------------------
// Plugins

/** What `setup` receives. */
export interface PluginContext {
  /** The plugin's own name. */
  readonly name: string;
  /** Structured logger bound to the plugin. */
  readonly log: {
    debug(obj: object, msg?: string): void;
    info(obj: object, msg?: string): void;
    warn(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
  };
}

/** The manifest: plain data the host validates before registering anything. */
export interface PluginManifest {
  /** kebab-case; must equal the plugin's folder (or package) name. */
  readonly name: string;
  /** The plugin's own version (semver). */
  readonly version: string;
  /** The plugin API version it was written for, e.g. `"1.0.0"`. */
  readonly apiVersion: string;
  readonly description: string;
  /** Names of plugins that must load first. */
  readonly dependsOn?: readonly string[];
  /** What the plugin adds, by id: must match the definitions below exactly. */
  readonly provides?: {
    readonly lifters?: readonly string[];
    readonly actions?: readonly string[];
    readonly sourceKinds?: readonly string[];
  };
}

export interface PluginDefinition extends PluginManifest {
  readonly lifters?: readonly LifterDefinition<unknown>[];
  readonly actions?: readonly ActionHandlerDefinition<unknown>[];
  readonly sourceKinds?: readonly SourceKindDefinition[];
  /** Runs once after validation, before anything the plugin provides is used. */
  setup?(ctx: PluginContext): void | Promise<void>;
  /** Runs once at shutdown. */
  dispose?(): void | Promise<void>;
}

/** Typed identity helper: `export default definePlugin({ name, version, apiVersion, ... })`. */
export function definePlugin(definition: PluginDefinition): PluginDefinition {
  return definition;
}
