import { describe, expect, it } from 'vitest';
import { createGovernanceService, settingsHash } from '../../../src/engine/governance/governance-service.ts';
import { parseGovernancePatch } from '../../../src/engine/governance/governance-patch-schema.ts';
import type { GovernanceRevision, GovernanceSettings } from '../../../src/engine/governance/governance.ts';
import { memoryGovernanceStore, SETTINGS } from '../runs/run-fixtures.ts';

const isTactic = (id: string) => ['TA0002', 'TA0006', 'TA0011'].includes(id);

function service(defaults: () => GovernanceSettings = () => SETTINGS) {
  const changes: [GovernanceRevision, GovernanceRevision][] = [];
  const store = memoryGovernanceStore();
  const g = createGovernanceService({
    store,
    defaults,
    presets: () => [{ name: 'strict', description: 'block more', patch: { blockedTactics: ['TA0002', 'TA0011'], tagDenyThreshold: 0.5 }, source: 'presets/governance.yaml' }],
    hashes: () => ({ policyHash: 'p', rulePackHash: 'r' }),
    onChange: (r, p) => changes.push([r, p]),
    now: () => new Date('2026-12-02T10:00:00Z'),
  });
  return { g, store, changes };
}

describe('governance', () => {
  it('starts at revision 0 with the configured defaults', async () => {
    const { g } = service();
    expect(await g.load()).toMatchObject({ revision: 0, settings: SETTINGS, updatedBy: null });
  });

  it('accepts a change made against the current revision and announces it once', async () => {
    const { g, changes } = service();
    await g.load();
    const r1 = await g.update({ expectedRevision: 0, patch: { confidenceFloor: 0.5, budgets: { maxRequestsPerMinute: 10 } }, reason: 'tighter' }, 'alice');
    expect(r1).toMatchObject({ revision: 1, updatedBy: 'alice', reason: 'tighter', change: { confidenceFloor: 0.5, budgets: { maxRequestsPerMinute: 10 } } });
    expect(r1.settings.budgets).toEqual({ maxRequestsPerMinute: 10, maxEventsPerRun: 1000 });
    expect(g.settings().confidenceFloor).toBe(0.5);
    expect(changes.map(([r, p]) => [r.revision, p.revision])).toEqual([[1, 0]]);
  });

  it('refuses a stale revision with revision_conflict and changes nothing', async () => {
    const { g, changes } = service();
    await g.load();
    await g.update({ expectedRevision: 0, patch: { mode: 'shadow' }, reason: null }, 'alice');
    await expect(g.update({ expectedRevision: 0, patch: { mode: 'enforce' }, reason: null }, 'bob')).rejects.toMatchObject({ code: 'CONFLICT', details: { reason: 'revision_conflict' } });
    expect(g.current()).toMatchObject({ revision: 1, settings: { mode: 'shadow' } });
    expect(changes).toHaveLength(1);
  });

  it('lets exactly one of two concurrent writers of the same revision win', async () => {
    const { g } = service();
    await g.load();
    const results = await Promise.allSettled([
      g.update({ expectedRevision: 0, patch: { confidenceFloor: 0.4 }, reason: null }, 'a'),
      g.update({ expectedRevision: 0, patch: { confidenceFloor: 0.6 }, reason: null }, 'b'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(g.current().revision).toBe(1);
  });

  it('keeps following the configuration for fields nobody edited', async () => {
    let defaults = SETTINGS;
    const { g } = service(() => defaults);
    await g.load();
    await g.update({ expectedRevision: 0, patch: { confidenceFloor: 0.5 }, reason: null }, 'a');
    defaults = { ...SETTINGS, approvalTtlSeconds: 60 };
    expect(g.settings()).toMatchObject({ confidenceFloor: 0.5, approvalTtlSeconds: 60 });
  });

  it('lists the history newest first, ending with revision 0', async () => {
    const { g } = service();
    await g.load();
    for (let i = 0; i < 3; i += 1) await g.update({ expectedRevision: i, patch: { tagDenyThreshold: 0.5 + i / 10 }, reason: null }, 'a');
    expect((await g.history(null, 10)).map((r) => r.revision)).toEqual([3, 2, 1, 0]);
    expect((await g.history(2, 10)).map((r) => r.revision)).toEqual([1, 0]);
    expect(await g.historyCount()).toBe(4);
  });

  it('applies a preset on top of the current revision in a snapshot, and refuses an unknown one', async () => {
    const { g } = service();
    await g.load();
    const snap = g.snapshot('strict');
    expect(snap).toMatchObject({ revision: 0, preset: 'strict', settings: { blockedTactics: ['TA0002', 'TA0011'], tagDenyThreshold: 0.5, confidenceFloor: 0.3 } });
    expect(snap.hash).toBe(settingsHash(snap.settings));
    expect(() => g.snapshot('nope')).toThrow('no governance preset "nope"; known: strict');
  });

  it('changes policySetHash when the settings, the policy or the rule pack change', async () => {
    const { g } = service();
    await g.load();
    const before = g.policySetHash();
    await g.update({ expectedRevision: 0, patch: { actionMode: 'dry_run' }, reason: null }, 'a');
    expect(g.policySetHash()).not.toBe(before);
    expect(g.policySetHash(SETTINGS)).toBe(before);
  });

  it('parses a change strictly, naming the field and what arrived', () => {
    expect(parseGovernancePatch({ confidenceFloor: 0.4, blockedTactics: ['TA0006'] }, isTactic)).toEqual({ confidenceFloor: 0.4, blockedTactics: ['TA0006'] });
    expect(() => parseGovernancePatch({ confidenceFloor: 2 }, isTactic)).toThrow('must be between 0 and 1, got 2');
    expect(() => parseGovernancePatch({ colour: 'red' }, isTactic)).toThrow('unknown field colour');
    expect(() => parseGovernancePatch({ blockedTactics: ['TA9999'] }, isTactic)).toThrow('not ATT&CK Enterprise tactics: TA9999');
    expect(() => parseGovernancePatch({ budgets: { maxRequestsPerMinute: 0 } }, isTactic)).toThrow(/budgets.maxRequestsPerMinute/);
  });
});
