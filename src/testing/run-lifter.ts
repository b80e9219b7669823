import type { LifterDefinition, LifterFinding, LifterRule, PluginEvent, RuleEmit } from '../plugins/api.ts';
import { describeValue, errorMessage } from '../plugins/plugin-values.ts';

/** A rule as a test writes it: `params` is the rule file's `match` object, unparsed (`kind` may be left in). */
export interface TestRule {
  readonly ruleId: string;
  /** Default 1. */
  readonly ruleVersion?: number;
  /** `lifter:<name>`; the lifter must own it. */
  readonly kind: string;
  readonly params?: Readonly<Record<string, unknown>>;
  /** Default none: findings do not depend on emits. */
  readonly emits?: readonly RuleEmit[];
  /** The rule file's `applies_to`; default every kind the lifter handles. */
  readonly appliesTo?: readonly string[];
}

/** An event as a test writes it: only `sourceKind` and `occurredAt` are required. */
export interface TestEvent {
  readonly sourceKind: string;
  /** Default `event-<n>`, counting from 1. */
  readonly sourceId?: string;
  /** Event time, as a Date or an ISO 8601 string: it drives the lifter's windows. */
  readonly occurredAt: Date | string;
  readonly attackerId?: string | null;
  readonly sessionId?: string | null;
  readonly host?: string | null;
  readonly payload?: Readonly<Record<string, unknown>>;
}

/** What the lifter concluded about one event. */
export interface LifterStep {
  readonly event: PluginEvent;
  readonly findings: readonly LifterFinding[];
}

/**
 * Feeds `events`, in order, to one fresh instance of `lifter`, the way the tagging engine does: each
 * rule's params go through the lifter's `parseParams` first, and an event reaches the lifter only if
 * it handles the event's kind, with the rules that apply to that kind. Stricter than the engine, which
 * ignores and counts them: a finding for a rule the lifter was not given throws, so the test fails.
 */
export async function runLifter<Params>(
  lifter: LifterDefinition<Params>,
  input: { readonly rules: readonly TestRule[]; readonly events: readonly TestEvent[] },
): Promise<LifterStep[]> {
  const rules = input.rules.map((rule) => ({ rule: toLifterRule(lifter, rule), appliesTo: rule.appliesTo ?? lifter.handles }));
  const instance = lifter.create();
  const steps: LifterStep[] = [];
  for (const [i, raw] of input.events.entries()) {
    const event = toEvent(raw, i);
    if (!lifter.handles.includes(event.sourceKind)) {
      steps.push({ event, findings: [] });
      continue;
    }
    const applicable = rules.filter((r) => r.appliesTo.includes(event.sourceKind)).map((r) => r.rule);
    const findings = await instance.process({ event, rules: applicable });
    for (const finding of findings) {
      if (!applicable.some((rule) => rule.ruleId === finding.ruleId)) {
        throw new Error(`lifter ${lifter.id} returned a finding for rule ${JSON.stringify(finding.ruleId)} on events[${i}], which is not one of the rules it was given for it`);
      }
    }
    steps.push({ event, findings });
  }
  return steps;
}

function toLifterRule<Params>(lifter: LifterDefinition<Params>, rule: TestRule): LifterRule<Params> {
  if (!lifter.owns.includes(rule.kind)) {
    throw new Error(`rule ${rule.ruleId}: kind ${JSON.stringify(rule.kind)} is not owned by lifter ${lifter.id} (it owns ${lifter.owns.join(', ')})`);
  }
  const { kind: _kind, ...params } = rule.params ?? {};
  let parsed: Params;
  try {
    parsed = lifter.parseParams(params, rule.kind);
  } catch (err) {
    throw new Error(`rule ${rule.ruleId}: ${errorMessage(err)}`);
  }
  return { ruleId: rule.ruleId, ruleVersion: rule.ruleVersion ?? 1, kind: rule.kind, params: parsed, emits: rule.emits ?? [] };
}

function toEvent(raw: TestEvent, i: number): PluginEvent {
  const occurredAt = raw.occurredAt instanceof Date ? raw.occurredAt : new Date(raw.occurredAt);
  if (typeof raw.occurredAt !== 'string' && !(raw.occurredAt instanceof Date)) throw invalidTime(raw, i);
  if (Number.isNaN(occurredAt.getTime())) throw invalidTime(raw, i);
  return {
    sourceKind: raw.sourceKind,
    sourceId: raw.sourceId ?? `event-${i + 1}`,
    occurredAt,
    attackerId: raw.attackerId ?? null,
    sessionId: raw.sessionId ?? null,
    host: raw.host ?? null,
    payload: raw.payload ?? {},
  };
}

function invalidTime(raw: TestEvent, i: number): Error {
  return new Error(`events[${i}].occurredAt must be a Date or an ISO 8601 string, got ${describeValue(raw.occurredAt)}`);
}
