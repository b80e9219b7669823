/**
 * An example lifter, written to be copied. It detects one attacker running many *different*
 * commands within a short window — a script pasted into a shell, not a person typing.
 *
 * Read it top to bottom: parameters, then the definition, then the per-event logic. Every piece a
 * lifter needs is here and nothing else is. See README.md for the walkthrough.
 */

// The one module a plugin may import from Gatehouse. Plain npm packages and Node built-ins are also
// fine; this plugin needs neither.
import { createEventTimeWindow, defineLifter, type EventTimeWindow, type LifterFinding } from '../../src/plugins/api.ts';

// ---------------------------------------------------------------------------------------------
// 1. Parameters
//
// A rule you own looks like `match: { kind: lifter:command-burst, min_distinct_commands: 15, ... }`.
// The engine hands your `parseParams` everything in `match` except `kind`, once per rule, when rules
// load. Throwing here turns the rule into a load error that names the rule file, so be strict and
// precise: say which parameter is wrong and quote what arrived.

/** The rule kind this lifter owns. Kinds are global: pick one no other plugin uses. */
export const COMMAND_BURST_KIND = 'lifter:command-burst';

/** What `parseParams` returns: typed, validated, in the names your code wants. */
export interface CommandBurstParams {
  /** Distinct command lines from one attacker that make a finding. */
  readonly minDistinctCommands: number;
  /** Window length in seconds of *event time*. */
  readonly windowSeconds: number;
}

const KNOWN_PARAMS = ['min_distinct_commands', 'window_seconds'];

/** Checks the rule's parameters; throws an Error naming the parameter and the value on bad input. */
export function parseCommandBurstParams(params: Readonly<Record<string, unknown>>, kind: string): CommandBurstParams {
  // Unknown keys are errors (a typo like `window_secs` must not silently fall back to a default).
  for (const key of Object.keys(params)) {
    if (!KNOWN_PARAMS.includes(key)) throw new Error(`${kind}: unknown parameter '${key}' (known parameters: ${KNOWN_PARAMS.join(', ')})`);
  }
  const integer = (name: string, min: number, max: number): number => {
    const value = params[name];
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    throw new Error(`${kind}: '${name}' must be an integer from ${min} to ${max}, got ${JSON.stringify(value) ?? 'nothing'}`);
  };
  return { minDistinctCommands: integer('min_distinct_commands', 2, 1000), windowSeconds: integer('window_seconds', 1, 3600) };
}

// ---------------------------------------------------------------------------------------------
// 2. The definition
//
// `defineLifter` only gives TypeScript the shape; it does nothing at run time. The host reads `id`,
// `handles` and `owns` to route events and rules to you.

/** How many attackers we remember at once. The window evicts the least recently seen beyond this. */
export const MAX_TRACKED_ATTACKERS = 10_000;

export const commandBurstLifter = defineLifter<CommandBurstParams>({
  // `<plugin name>/<lifter name>`, kebab-case. Must be listed in the manifest's `provides.lifters`.
  id: 'example-lifter/command-burst',
  description: 'Many distinct commands from one attacker within a short window (scripted shell use, T1059.004).',
  // Source kinds you want to see. You only get events of these kinds, and only with your rules whose
  // `applies_to` includes the event's kind.
  handles: ['command'],
  owns: [COMMAND_BURST_KIND],
  // Per-event time budget (default 50 ms). Over budget or throwing: no findings for that event, the
  // failure is counted and logged, and the server carries on. Keep `process` small and synchronous.
  budgetMs: 50,
  parseParams: parseCommandBurstParams,

  // `create` is called once per tagging engine — the live server gets one instance, and every replay
  // run gets a fresh one. Keep ALL state inside the returned object, never at module level, so runs
  // never see each other's state.
  create() {
    // One window per rule version: two rules of this kind with different thresholds must count
    // separately, and an edited rule (new `rule_version`) starts afresh with its new window length.
    // (The bundled lifters also drop the old version's state: see plugins/credential-lifter/rule-state.ts.)
    const windows = new Map<string, EventTimeWindow<string>>();

    return {
      process({ event, rules }) {
        // `payload` was validated against the source kind's schema, but read it defensively anyway:
        // ignoring an odd event is better than throwing (a throw is counted as a lifter failure).
        const text = event.payload.command_text;
        if (event.attackerId === null || typeof text !== 'string') return [];
        const command = text.trim().replace(/\s+/g, ' ');
        if (command === '') return [];

        const findings: LifterFinding[] = [];
        for (const rule of rules) {
          const { minDistinctCommands, windowSeconds } = rule.params;
          const stateKey = `${rule.ruleId}@${rule.ruleVersion}`;
          let window = windows.get(stateKey);
          if (!window) {
            // Windows run on EVENT time (`event.occurredAt`), never on the wall clock: a replay at
            // 100× speed, or a day later, must produce exactly the same findings. `maxKeys` bounds
            // memory however many attackers show up.
            window = createEventTimeWindow<string>({ windowMs: windowSeconds * 1000, maxKeys: MAX_TRACKED_ATTACKERS, maxEntriesPerKey: minDistinctCommands });
            windows.set(stateKey, window);
          }
          // Count each distinct command once: a repeated command adds nothing (and this also keeps
          // one attacker's list shorter than the threshold, which bounds memory per attacker).
          const seen = window.get(event.attackerId, event.occurredAt);
          if (seen.some((entry) => entry.value === command)) continue;
          const inWindow = window.add(event.attackerId, event.occurredAt, command);
          if (inWindow.length < minDistinctCommands) continue;

          // Fire once per burst: forget this attacker's commands, so the next events of the same burst
          // do not fire again. A new finding needs `minDistinctCommands` new commands.
          window.clear(event.attackerId);
          findings.push({
            ruleId: rule.ruleId,
            // Evidence is stored on the tag: keep it small, JSON-serialisable and useful to an analyst.
            evidence: {
              attackerId: event.attackerId,
              distinctCommands: inWindow.length,
              windowSeconds,
              firstAt: new Date(inWindow[0]?.at ?? event.occurredAt.getTime()).toISOString(),
              lastAt: event.occurredAt.toISOString(),
              sample: inWindow.slice(0, 5).map((entry) => entry.value),
            },
            // `confidence` is optional: omitted, each emit's base confidence from the rule is used.
          });
        }
        // You return findings, not tags: the engine turns each into one tag per `emits` entry of the
        // rule, applies the rule's state (disabled / clipped) and the confidence floor, and dedupes.
        return findings;
      },
    };
  },
});
