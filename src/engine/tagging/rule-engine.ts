import type { LifterDefinition, LifterFinding, LifterInstance, LifterRule, PluginEvent, RuleEmit } from '../../plugins/api.ts';
import { runLifter, type LifterFailure } from './lifter-runner.ts';
import { createPatternIndex } from './pattern-index.ts';
import type { Rule, RuleOwner } from './rule.ts';
import type { EffectiveRuleState, RuleStateLookup } from './rule-state.ts';
import type { Tag } from './tag.ts';
import { tagId } from './tag-id.ts';

/** A rule that is loaded but cannot run (orphaned lifter kind, parameters its lifter refused). */
export interface RuleProblem {
  ruleId: string;
  sourcePath: string;
  message: string;
}

export interface RuleEngineOptions {
  rules: readonly Rule[];
  lifters: readonly LifterDefinition<unknown>[];
  states: RuleStateLookup;
  /** Tags below this confidence are dropped (DESIGN §6: 0.3 by default, a governance knob). */
  confidenceFloor(): number;
  onLifterFailure?(lifterId: string, failure: LifterFailure, message: string, event: PluginEvent): void;
}

export interface RuleEngine {
  /** Every tag the rules produce for one event, deduplicated by tag id. */
  evaluate(event: PluginEvent): Promise<Tag[]>;
  readonly problems: readonly RuleProblem[];
  /** Which part runs each loaded rule: `engine` or a lifter id. */
  readonly owners: ReadonlyMap<string, RuleOwner>;
  /** Times each rule produced at least one tag (since this engine was built). */
  readonly fires: ReadonlyMap<string, number>;
  readonly lifterFailures: ReadonlyMap<string, { error: number; timeout: number }>;
}

const EVIDENCE_LIMIT = 512;

interface LifterSlot {
  definition: LifterDefinition<unknown>;
  instance: LifterInstance<unknown>;
  /** Owned rules by the source kinds they apply to. */
  rulesByKind: Map<string, { rule: Rule; lifterRule: LifterRule<unknown> }[]>;
}

function evidenceOf(rule: Rule, payload: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const evidence: Record<string, unknown> = {};
  for (const field of rule.evidenceFields) {
    const value = payload[field];
    if (value === undefined) continue;
    evidence[field] = typeof value === 'string' && value.length > EVIDENCE_LIMIT ? `${value.slice(0, EVIDENCE_LIMIT)}…` : value;
  }
  return evidence;
}

/**
 * The tagging engine for one rule pack (DESIGN §6): engine rules through the pattern index, lifter
 * rules through their owning lifters, rule state applied (disabled rules never fire, clipped rules are
 * capped), the confidence floor applied, and stable tag ids. Build a new engine when rules or lifters
 * change; each engine has its own lifter state, so a replay run never shares windows with live ingest.
 */
export function createRuleEngine(options: RuleEngineOptions): RuleEngine {
  const problems: RuleProblem[] = [];
  const owners = new Map<string, RuleOwner>();
  const fires = new Map<string, number>();
  const lifterFailures = new Map<string, { error: number; timeout: number }>();
  const patternIndex = createPatternIndex(options.rules);
  const slots = new Map<string, LifterSlot>();
  const ownerOfKind = new Map<string, LifterDefinition<unknown>>();
  for (const lifter of options.lifters) for (const kind of lifter.owns) ownerOfKind.set(kind, lifter);

  for (const rule of options.rules) {
    if (rule.match.type === 'pattern') {
      owners.set(rule.ruleId, 'engine');
      continue;
    }
    const lifter = ownerOfKind.get(rule.match.kind);
    if (!lifter) {
      problems.push({ ruleId: rule.ruleId, sourcePath: rule.sourcePath, message: `orphaned: no loaded lifter owns kind '${rule.match.kind}'; the rule does not run` });
      continue;
    }
    let params: unknown;
    try {
      params = lifter.parseParams(rule.match.params, rule.match.kind);
    } catch (err) {
      problems.push({ ruleId: rule.ruleId, sourcePath: rule.sourcePath, message: `lifter ${lifter.id} refused 'match': ${(err as Error).message}` });
      continue;
    }
    let slot = slots.get(lifter.id);
    if (!slot) {
      try {
        slot = { definition: lifter, instance: lifter.create(), rulesByKind: new Map() };
      } catch (err) {
        problems.push({ ruleId: rule.ruleId, sourcePath: rule.sourcePath, message: `lifter ${lifter.id} failed to start: ${(err as Error).message}` });
        continue;
      }
      slots.set(lifter.id, slot);
    }
    owners.set(rule.ruleId, lifter.id);
    const lifterRule: LifterRule<unknown> = { ruleId: rule.ruleId, ruleVersion: rule.ruleVersion, kind: rule.match.kind, params, emits: rule.emits };
    for (const kind of rule.appliesTo) {
      if (!lifter.handles.includes(kind)) continue;
      const list = slot.rulesByKind.get(kind) ?? [];
      list.push({ rule, lifterRule });
      slot.rulesByKind.set(kind, list);
    }
  }

  const lifterKinds = new Set([...slots.values()].flatMap((slot) => [...slot.rulesByKind.keys()]));

  const toTags = (rule: Rule, state: EffectiveRuleState, event: PluginEvent, evidence: Record<string, unknown>, cap: number, out: Map<string, Tag>) => {
    const floor = options.confidenceFloor();
    let fired = false;
    for (const emit of rule.emits as RuleEmit[]) {
      let confidence = Math.min(emit.confidence, cap);
      if (state.state === 'clipped' && state.confidenceMax !== null) confidence = Math.min(confidence, state.confidenceMax);
      if (confidence < floor) continue;
      const identity = {
        sourceKind: event.sourceKind,
        sourceId: event.sourceId,
        ruleId: rule.ruleId,
        ruleVersion: rule.ruleVersion,
        techniqueId: emit.techniqueId,
        subTechniqueId: emit.subTechniqueId,
      };
      const id = tagId(identity);
      if (out.has(id)) continue;
      fired = true;
      out.set(id, { id, ...identity, tactic: emit.tactic, confidence, evidence, attackerId: event.attackerId, sessionId: event.sessionId, occurredAt: event.occurredAt });
    }
    if (fired) fires.set(rule.ruleId, (fires.get(rule.ruleId) ?? 0) + 1);
  };

  const runLifters = async (event: PluginEvent, out: Map<string, Tag>) => {
    for (const slot of slots.values()) {
      const owned = slot.rulesByKind.get(event.sourceKind);
      if (!owned) continue;
      const active = owned.filter(({ rule }) => options.states.effective(rule.ruleId).state !== 'disabled');
      if (active.length === 0) continue;
      const run = runLifter(slot.definition, slot.instance, event, active.map((a) => a.lifterRule));
      const result = run instanceof Promise ? await run : run;
      if (result.failure) {
        const counts = lifterFailures.get(slot.definition.id) ?? { error: 0, timeout: 0 };
        counts[result.failure] += 1;
        lifterFailures.set(slot.definition.id, counts);
        options.onLifterFailure?.(slot.definition.id, result.failure, result.message ?? '', event);
        continue;
      }
      for (const finding of result.findings as LifterFinding[]) {
        const match = active.find((a) => a.rule.ruleId === finding?.ruleId);
        if (!match) continue; // a finding for a rule this lifter does not own here is ignored
        const evidence = { ...evidenceOf(match.rule, event.payload), ...(finding.evidence ?? {}) };
        const cap = typeof finding.confidence === 'number' ? finding.confidence : 1;
        toTags(match.rule, options.states.effective(match.rule.ruleId), event, evidence, cap, out);
      }
    }
  };

  return {
    problems,
    owners,
    fires,
    lifterFailures,
    evaluate(event) {
      const matched = patternIndex.match(event.sourceKind, event.payload);
      const lifted = lifterKinds.has(event.sourceKind);
      // Most events match nothing: answer those without allocating (this is the ingest hot path).
      if (matched.length === 0 && !lifted) return Promise.resolve([]);
      const out = new Map<string, Tag>();
      for (const rule of matched) {
        const state = options.states.effective(rule.ruleId);
        if (state.state === 'disabled') continue;
        toTags(rule, state, event, evidenceOf(rule, event.payload), 1, out);
      }
      if (!lifted) return Promise.resolve([...out.values()]);
      return runLifters(event, out).then(() => [...out.values()]);
    },
  };
}
