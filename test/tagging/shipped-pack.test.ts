import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { INGEST } from '../helpers/tagging.ts';

/**
 * The server as shipped: the bundled rule pack and the bundled lifter plugins, loaded from their
 * TypeScript sources with no build step, tagging end to end.
 */
describe('the shipped rule pack and lifters', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ watchRules: false });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('loads every bundled plugin from .ts and runs every rule (no orphans, no load errors)', async () => {
    const plugins = await t.gql<{ plugins: { name: string; status: string; lifters: { id: string }[] }[] }>('{ plugins { name status lifters { id } } }');
    const byName = Object.fromEntries((plugins.body.data?.plugins ?? []).map((p) => [p.name, p]));
    for (const name of ['credential-lifter', 'session-lifter', 'example-lifter']) expect(byName[name]?.status).toBe('LOADED');
    expect(byName['example-lifter']?.lifters.map((l) => l.id)).toEqual(['example-lifter/command-burst']);
    const rules = await t.gql<{ rules: { totalCount: number; edges: { node: { ruleId: string; owner: string | null; problem: string | null; loadError: string | null } }[] } }>(
      '{ rules(first: 200) { totalCount edges { node { ruleId owner problem loadError } } } }',
    );
    const nodes = rules.body.data?.rules.edges.map((e) => e.node) ?? [];
    expect(rules.body.data?.rules.totalCount).toBeGreaterThan(150);
    expect(nodes.filter((n) => n.problem || n.loadError || !n.owner)).toEqual([]);
    expect(nodes.find((n) => n.ruleId === 'R3001')?.owner).toBe('credential-lifter/brute-force');
    const readiness = await t.gql<{ readiness: { state: string } }>('{ readiness { state } }');
    expect(readiness.body.data?.readiness.state).toBe('READY');
  });

  it('tags a brute force through the credential lifter once the threshold is crossed', async () => {
    const start = Date.parse('2026-11-23T09:00:00Z');
    const events = Array.from({ length: 12 }, (_, i) => ({
      sourceKind: 'auth_attempt',
      sourceId: `bf-${i}`,
      occurredAt: new Date(start + i * 10_000).toISOString(),
      attackerId: '203.0.113.9',
      payload: { service: 'ssh', username: i % 2 ? 'root' : 'admin', success: false, src_ip: '203.0.113.9' },
    }));
    const response = await t.gql<{ ingestEvents: { accepted: number; results: { newTagIds: string[] }[] } }>(INGEST, { events });
    expect(response.body.data?.ingestEvents.accepted).toBe(12);
    const tags = await t.gql<{ tags: { edges: { node: { ruleId: string; techniqueId: string; sourceId: string; evidence: Record<string, unknown> } }[] } }>(
      '{ tags(filter: { ruleId: "R3001" }) { edges { node { ruleId techniqueId sourceId evidence } } } }',
    );
    const fired = tags.body.data?.tags.edges.map((e) => e.node) ?? [];
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ techniqueId: 'T1110', sourceId: 'bf-9' });
  });

  it('exports a Navigator layer that keeps sub-techniques and expands their parents', async () => {
    await t.gql(INGEST, { events: [{ sourceKind: 'command', sourceId: 'nav-1', payload: { command_text: 'cat /etc/shadow' } }] });
    const layer = await t.gql<{ navigatorLayer: { versions: { layer: string; attack: string }; domain: string; techniques: { techniqueID: string; tactic: string; showSubtechniques: boolean; score: number }[] } }>(
      '{ navigatorLayer(name: "test") }',
    );
    const l = layer.body.data?.navigatorLayer;
    expect(l?.versions).toMatchObject({ layer: '4.5', attack: '18' });
    expect(l?.domain).toBe('enterprise-attack');
    const sub = l?.techniques.find((x) => x.techniqueID === 'T1003.008');
    expect(sub).toMatchObject({ tactic: 'credential-access' });
    expect(sub?.score).toBeGreaterThan(0);
    expect(l?.techniques.find((x) => x.techniqueID === 'T1003' && x.tactic === 'credential-access')?.showSubtechniques).toBe(true);
  });

  it('looks up a technique in the pinned catalogue', async () => {
    const found = await t.gql<{ attackTechnique: { name: string; url: string; parent: { id: string }; tactics: { shortname: string }[] } }>(
      '{ attackTechnique(id: "T1003.008") { name url parent { id } tactics { shortname } } }',
    );
    expect(found.body.data?.attackTechnique).toEqual({
      name: '/etc/passwd and /etc/shadow',
      url: 'https://attack.mitre.org/techniques/T1003/008/',
      parent: { id: 'T1003' },
      tactics: [{ shortname: 'credential-access' }],
    });
    const missing = await t.gql('{ attackTechnique(id: "T9999") { name } }');
    expect(missing.body.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
  });
});
