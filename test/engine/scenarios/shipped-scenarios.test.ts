import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundledPlugins, type BundledPlugins } from '../../../src/cli/bundled-plugins.ts';
import { loadAttackCatalogue } from '../../../src/engine/attack/catalogue.ts';
import { canonicalJson } from '../../../src/engine/canonical-json.ts';
import { loadPolicy } from '../../../src/engine/gateway/load-policy.ts';
import type { Policy } from '../../../src/engine/gateway/policy.ts';
import { loadScenarioFolder, type ScenarioFolder } from '../../../src/engine/scenarios/load-scenarios.ts';
import type { EventStep, Scenario, ScenarioStep } from '../../../src/engine/scenarios/scenario.ts';
import { parseEventInput } from '../../../src/engine/tagging/event-input.ts';
import { loadRules } from '../../../src/engine/tagging/load-rules.ts';
import { createRuleEngine, type RuleEngine } from '../../../src/engine/tagging/rule-engine.ts';
import { BUILT_IN_SOURCE_KINDS } from '../../../src/engine/tagging/source-kinds.ts';

/**
 * The labels of the shipped scenarios (scenarios/) are claims about the shipped detection: this test
 * replays their events through a rule engine built from rules/ and the bundled lifters in plugins/
 * and holds the labels to what that engine really emits. The gateway decisions of agent-drift are
 * checked end to end with the whole server (test/operator/shipped-scenarios.test.ts).
 */
const ROOT = path.resolve(import.meta.dirname, '../../..');
/** The governance default (DESIGN §6): tags below it are dropped, so labels are held to what a run keeps. */
const CONFIDENCE_FLOOR = 0.3;

const catalogue = loadAttackCatalogue();
const kinds = new Map(BUILT_IN_SOURCE_KINDS.map((k) => [k.kind, k]));

/** The technique and sub-technique ids of each event step's tags, replayed in order through a fresh engine. */
async function replayEvents(scenario: Scenario, engine: RuleEngine): Promise<Map<EventStep, Set<string>>> {
  const produced = new Map<EventStep, Set<string>>();
  for (const step of scenario.steps) {
    if (step.type !== 'event') continue;
    const ids = new Set<string>();
    for (const event of parseEventInput(step.event, kinds, step.at)) {
      for (const tag of await engine.evaluate(event)) {
        ids.add(tag.techniqueId);
        if (tag.subTechniqueId) ids.add(tag.subTechniqueId);
      }
    }
    produced.set(step, ids);
  }
  return produced;
}

describe('the shipped scenarios', () => {
  let folder: ScenarioFolder;
  let plugins: BundledPlugins;
  let newEngine: () => RuleEngine;
  let policy: Policy;
  const scenario = (id: string) => {
    const s = folder.scenarios.find((x) => x.id === id);
    if (!s) throw new Error(`scenario ${id} did not load`);
    return s;
  };

  beforeAll(async () => {
    folder = await loadScenarioFolder(path.join(ROOT, 'scenarios'), catalogue);
    const pack = await loadRules(path.join(ROOT, 'rules'), catalogue);
    expect(pack.errors).toEqual([]);
    plugins = await loadBundledPlugins(path.join(ROOT, 'plugins'));
    expect(plugins.problems).toEqual([]);
    newEngine = () => createRuleEngine({ rules: pack.rules, lifters: plugins.lifters, states: { effective: () => ({ state: 'enabled', confidenceMax: null }) }, confidenceFloor: () => CONFIDENCE_FLOOR });
    policy = await loadPolicy(path.join(ROOT, 'policy'));
  });
  afterAll(() => plugins?.dispose());

  it('all load, with no errors in the scenarios or the presets', async () => {
    const files = (await readdir(path.join(ROOT, 'scenarios'))).filter((f) => /\.ya?ml$/.test(f)).sort();
    expect(folder.errors).toEqual([]);
    expect(folder.presetErrors).toEqual([]);
    expect(folder.scenarios.map((s) => s.sourcePath)).toEqual(files);
    expect(folder.scenarios.map((s) => s.id)).toEqual(['agent-drift', 'benign-admin-day', 'linux-intrusion', 'ssh-brute-force']);
    expect(folder.presets.map((p) => p.name)).toEqual(['default', 'strict', 'shadow', 'lenient']);
  });

  it('point editors at the JSON Schema on their first line', async () => {
    for (const s of folder.scenarios) expect((await readFile(path.join(ROOT, 'scenarios', s.sourcePath), 'utf8')).split('\n')[0], s.id).toBe('# yaml-language-server: $schema=../schemas/scenario.schema.json');
    expect((await readFile(path.join(ROOT, 'scenarios/presets/governance.yaml'), 'utf8')).split('\n')[0]).toBe('# yaml-language-server: $schema=../../schemas/governance-presets.schema.json');
  });

  it.each(['linux-intrusion', 'ssh-brute-force'])('%s: every labelled technique is produced by the shipped rules and lifters', async (id) => {
    const produced = await replayEvents(scenario(id), newEngine());
    const missed = [...produced].flatMap(([step, ids]) => (step.expect?.techniques ?? []).filter((t) => !ids.has(t)).map((t) => `${step.origin}: ${t} not produced (got ${[...ids].join(', ') || 'nothing'})`));
    expect(missed).toEqual([]);
  });

  it('linux-intrusion: complete labels, every phase covered, and no step labelled benign is tagged', async () => {
    const s = scenario('linux-intrusion');
    expect(s.labelsComplete).toBe(true);
    expect(s.steps.every((x) => x.expect !== null)).toBe(true);
    const expected = new Set(s.steps.flatMap((x) => x.expect?.techniques ?? []));
    const tactics = new Set([...expected].flatMap((t) => catalogue.technique(t)?.tactics ?? []));
    // Discovery → credential access → persistence → exfiltration (issue #5 §1).
    for (const tactic of ['TA0007', 'TA0006', 'TA0003', 'TA0010']) expect(tactics.has(tactic), tactic).toBe(true);
    const produced = await replayEvents(s, newEngine());
    const benignTagged = [...produced].filter(([step, ids]) => step.expect?.techniques.length === 0 && ids.size > 0).map(([step, ids]) => `${step.origin}: ${[...ids].join(', ')}`);
    expect([...produced.keys()].filter((step) => step.expect?.techniques.length === 0).length).toBeGreaterThanOrEqual(3);
    expect(benignTagged).toEqual([]);
  });

  it('ssh-brute-force: failed logins from one address, then a success from it, labelled as the lifter reports them', () => {
    const steps = scenario('ssh-brute-force').steps as EventStep[];
    const payload = (x: EventStep | undefined) => (x?.event.payload ?? {}) as { src_ip?: string; success?: boolean };
    expect(steps.every((x) => x.type === 'event' && x.event.sourceKind === 'auth_attempt' && payload(x).src_ip === '198.51.100.23')).toBe(true);
    expect(steps.slice(0, -1).every((x) => payload(x).success === false)).toBe(true);
    expect(payload(steps.at(-1)).success).toBe(true);
    expect(steps.filter((x) => x.expect).map((x) => x.expect?.techniques)).toEqual([['T1110', 'T1110.001'], ['T1078']]);
  });

  it('agent-drift: requests only, naming specs and roles that exist in policy/, under the strict preset', () => {
    const s = scenario('agent-drift');
    expect(s.governancePreset).toBe('strict');
    expect(s.components).toContain('gateway');
    const problems: string[] = [];
    for (const step of s.steps) {
      if (step.type !== 'request') {
        problems.push(`${step.origin}: not a request`);
        continue;
      }
      const { specId, role, agent } = step.request;
      if (!policy.specs.has(specId)) problems.push(`${step.origin}: no spec ${specId}`);
      if (!policy.jurisdictions.has(role)) problems.push(`${step.origin}: no jurisdiction for role ${role}`);
      for (const r of step.tokenRoles) if (!policy.jurisdictions.has(r)) problems.push(`${step.origin}: token role ${r} has no jurisdiction`);
      if (step.expect?.decision === null || step.expect === null) problems.push(`${step.origin}: no expected decision`);
      if (step.tokenAgent !== 'docs-bot') problems.push(`${step.origin}: token for ${step.tokenAgent}, not docs-bot`);
      if (agent !== 'docs-bot' && step.expect?.decision !== 'DENIED') problems.push(`${step.origin}: impersonates ${agent} but is not expected DENIED`);
    }
    expect(problems).toEqual([]);
    const decisions = s.steps.map((x) => x.expect?.decision);
    expect(decisions.slice(0, 2)).toEqual(['APPROVED', 'APPROVED']);
    expect(decisions.slice(2).every((d) => d === 'DENIED')).toBe(true);
  });

  it('agent-drift: the strict preset blocks the tactics the shipped rules give a download piped into a shell', async () => {
    const strict = folder.presets.find((p) => p.name === 'strict');
    expect(strict?.patch).toMatchObject({ blockedTactics: ['TA0002', 'TA0011'], tagDenyThreshold: 0.5 });
    // What the shipped rules tag the last request's content with: R4006 gives T1105 under TA0011 and
    // T1059.004 under TA0002, both at 0.75, above the preset's threshold.
    const paramsOf = (x: ScenarioStep | undefined) => (x?.type === 'request' ? (x.request.params as { path?: string; content?: string }) : {});
    const install = scenario('agent-drift').steps.find((x) => paramsOf(x).path === 'docs/install.sh');
    expect(paramsOf(install).content).toMatch(/curl [^|]*\| sh/);
    const tags = await newEngine().evaluate({
      sourceKind: 'agent_action',
      sourceId: 'agent-drift-install',
      occurredAt: new Date(0),
      attackerId: null,
      sessionId: null,
      host: null,
      payload: { agent: 'docs-bot', role: 'developer', spec_id: 'SPEC-DOCS', action: 'write_file', params_text: canonicalJson(paramsOf(install)) },
    });
    const blocked = tags.filter((t) => strict?.patch.blockedTactics?.includes(t.tactic) && t.confidence >= (strict.patch.tagDenyThreshold ?? 1));
    expect(blocked.map((t) => [t.ruleId, t.tactic, t.subTechniqueId ?? t.techniqueId])).toEqual([
      ['R4006', 'TA0011', 'T1105'],
      ['R4006', 'TA0002', 'T1059.004'],
    ]);
  });

  it('benign-admin-day: complete labels, all benign, at least 200 steps from its events file', () => {
    const s = scenario('benign-admin-day');
    expect(s).toMatchObject({ labelsComplete: true, eventsFile: 'benign-admin-day.jsonl' });
    expect(s.steps.length).toBeGreaterThanOrEqual(200);
    expect(s.steps.filter((x) => x.expect === null || x.expect.techniques.length > 0 || x.expect.decision !== null)).toEqual([]);
    expect(new Set(s.steps.map((x) => (x.type === 'event' ? x.event.sourceKind : 'request')))).toEqual(new Set(['command', 'auth_attempt', 'http_request']));
  });
});
