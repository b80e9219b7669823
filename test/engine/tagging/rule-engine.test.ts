import { describe, expect, it } from 'vitest';
import { loadAttackCatalogue } from '../../../src/engine/attack/catalogue.ts';
import { parseRule } from '../../../src/engine/tagging/parse-rule.ts';
import { createRuleEngine } from '../../../src/engine/tagging/rule-engine.ts';
import type { EffectiveRuleState } from '../../../src/engine/tagging/rule-state.ts';
import { defineLifter, type PluginEvent } from '../../../src/plugins/api.ts';

const catalogue = loadAttackCatalogue();

const rule = (id: string, pattern: string, extra = '') =>
  parseRule(
    `rule_id: ${id}
rule_version: 1
name: ${id}
description: test rule
applies_to: [command]
match: { field: command_text, pattern: '${pattern}' }
emits:
  - { tactic: TA0006, technique_id: T1003, sub_technique_id: T1003.008, confidence: 0.9 }
${extra}evidence_fields: [command_text]
`,
    `${id}.yaml`,
    catalogue,
  );

const event = (command_text: string, sourceId = 'e1'): PluginEvent => ({
  sourceKind: 'command',
  sourceId,
  occurredAt: new Date('2026-11-23T10:00:00Z'),
  attackerId: 'a1',
  sessionId: null,
  host: null,
  payload: { command_text },
});

const states = (map: Record<string, EffectiveRuleState> = {}) => ({ effective: (id: string) => map[id] ?? { state: 'enabled' as const, confidenceMax: null } });

describe('rule engine', () => {
  it('reports every matching rule, not only the first', async () => {
    const engine = createRuleEngine({ rules: [rule('R0001', '/etc/shadow'), rule('R0002', '(?i)\\bcat\\b')], lifters: [], states: states(), confidenceFloor: () => 0.3 });
    const tags = await engine.evaluate(event('cat /etc/shadow'));
    expect(tags.map((t) => t.ruleId).sort()).toEqual(['R0001', 'R0002']);
    expect(tags[0]).toMatchObject({ techniqueId: 'T1003', subTechniqueId: 'T1003.008', tactic: 'TA0006', confidence: 0.9, evidence: { command_text: 'cat /etc/shadow' } });
  });

  it('never fires a disabled rule and caps a clipped one', async () => {
    const engine = createRuleEngine({
      rules: [rule('R0001', 'shadow'), rule('R0002', 'etc')],
      lifters: [],
      states: states({ R0001: { state: 'disabled', confidenceMax: null }, R0002: { state: 'clipped', confidenceMax: 0.4 } }),
      confidenceFloor: () => 0.3,
    });
    const tags = await engine.evaluate(event('cat /etc/shadow'));
    expect(tags.map((t) => [t.ruleId, t.confidence])).toEqual([['R0002', 0.4]]);
  });

  it('drops tags below the confidence floor', async () => {
    const engine = createRuleEngine({ rules: [rule('R0001', 'shadow')], lifters: [], states: states({ R0001: { state: 'clipped', confidenceMax: 0.2 } }), confidenceFloor: () => 0.3 });
    expect(await engine.evaluate(event('cat /etc/shadow'))).toEqual([]);
  });

  it('cannot be slowed down by a pathological pattern', async () => {
    const engine = createRuleEngine({ rules: [rule('R0001', '(a+)+$')], lifters: [], states: states(), confidenceFloor: () => 0.3 });
    expect(await engine.evaluate(event(`${'a'.repeat(50_000)}!`))).toEqual([]);
  });

  it('reports a lifter rule with no owner as orphaned and does not run it', () => {
    const orphan = parseRule(
      'rule_id: R3999\nrule_version: 1\nname: o\ndescription: o\napplies_to: [auth_attempt]\nmatch: { kind: "lifter:nobody", threshold: 3 }\nemits: [{ tactic: TA0006, technique_id: T1110, confidence: 0.8 }]\n',
      'o.yaml',
      catalogue,
    );
    const engine = createRuleEngine({ rules: [orphan], lifters: [], states: states(), confidenceFloor: () => 0.3 });
    expect(engine.problems).toEqual([{ ruleId: 'R3999', sourcePath: 'o.yaml', message: "orphaned: no loaded lifter owns kind 'lifter:nobody'; the rule does not run" }]);
  });

  it('turns lifter findings into tags and survives a lifter that throws', async () => {
    const owned = parseRule(
      'rule_id: R3998\nrule_version: 1\nname: o\ndescription: o\napplies_to: [command]\nmatch: { kind: "lifter:echo" }\nemits: [{ tactic: TA0002, technique_id: T1059, sub_technique_id: T1059.004, confidence: 0.7 }]\n',
      'o.yaml',
      catalogue,
    );
    let calls = 0;
    const lifter = defineLifter<Record<string, never>>({
      id: 'test/echo',
      description: 'fires on every second event, throws on the others',
      handles: ['command'],
      owns: ['lifter:echo'],
      parseParams: () => ({}),
      create: () => ({
        process: ({ rules }) => {
          calls += 1;
          if (calls % 2 === 1) throw new Error('boom');
          return rules.map((r) => ({ ruleId: r.ruleId, evidence: { call: calls } }));
        },
      }),
    });
    const failures: string[] = [];
    const engine = createRuleEngine({
      rules: [owned],
      lifters: [lifter as never],
      states: states(),
      confidenceFloor: () => 0.3,
      onLifterFailure: (id, failure, message) => failures.push(`${id}:${failure}:${message}`),
    });
    expect(await engine.evaluate(event('ls', 'e1'))).toEqual([]);
    const tags = await engine.evaluate(event('ls', 'e2'));
    expect(tags.map((t) => [t.ruleId, t.subTechniqueId, t.evidence])).toEqual([['R3998', 'T1059.004', { call: 2 }]]);
    expect(failures).toEqual(['test/echo:error:boom']);
    expect(engine.lifterFailures.get('test/echo')).toEqual({ error: 1, timeout: 0 });
  });
});
