import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { commandEvent, copyRules, eventually, INGEST } from '../helpers/tagging.ts';

interface IngestData {
  ingestEvents: { results: { newTagIds: string[] }[] };
}

const RULE = `query R($id: String!) { rule(ruleId: $id) { ruleId ruleVersion effectiveState loadError fireCount state { state confidenceMax reason setBy } } }`;
const SET = `mutation S($input: SetRuleStateInput!) { setRuleState(input: $input) { rule { effectiveState } userErrors { code field message } } }`;

describe('rule lifecycle', () => {
  let t: TestApp;
  let rulesDir: string;
  let n = 0;
  const fired = async (command: string) => {
    n += 1;
    const response = await t.gql<IngestData>(INGEST, { events: [commandEvent(`life-${n}`, command)] });
    const ids = response.body.data?.ingestEvents.results[0]?.newTagIds ?? [];
    if (ids.length === 0) return [];
    const tags = await t.gql<{ tags: { edges: { node: { ruleId: string; confidence: number } }[] } }>(
      `{ tags(filter: { sourceId: "life-${n}" }) { edges { node { ruleId confidence } } } }`,
    );
    return tags.body.data?.tags.edges.map((e) => e.node) ?? [];
  };

  beforeAll(async () => {
    rulesDir = await copyRules('basic');
    t = await startTestApp({ rulesDir });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('never fires a disabled rule, and fires again once its state is cleared', async () => {
    const set = await t.gql(SET, { input: { ruleId: 'R0102', state: 'DISABLED', reason: 'noisy on build hosts' } });
    expect(set.body.data).toEqual({ setRuleState: { rule: { effectiveState: 'DISABLED' }, userErrors: [] } });
    expect(await fired('whoami')).toEqual([]);
    const rule = await t.gql<{ rule: { state: { reason: string; setBy: string } } }>(RULE, { id: 'R0102' });
    expect(rule.body.data?.rule.state).toMatchObject({ reason: 'noisy on build hosts', setBy: 'bootstrap admin' });
    await t.gql('mutation { clearRuleState(input: { ruleId: "R0102" }) { userErrors { code } } }');
    expect((await fired('whoami')).map((x) => x.ruleId)).toEqual(['R0102']);
  });

  it('records rule state changes in the audit chain with who made them', async () => {
    await t.gql(SET, { input: { ruleId: 'R0101', state: 'DISABLED', reason: 'audit me' } });
    await t.gql('mutation { clearRuleState(input: { ruleId: "R0101" }) { userErrors { code } } }');
    await eventually(async () => {
      const audit = await t.gql<{ auditEvents: { edges: { node: { kind: string; reasonCode: string; details: { ruleId: string } } }[] } }>('{ auditEvents(first: 10) { edges { node { kind reasonCode details } } } }');
      const changes = (audit.body.data?.auditEvents.edges ?? []).map((e) => e.node).filter((n) => n.kind === 'RULE_STATE_CHANGED' && n.details.ruleId === 'R0101');
      return changes.map((c) => c.reasonCode).join(',') === 'clear,set';
    });
    const verified = await t.gql<{ verifyAuditChain: { ok: boolean } }>('{ verifyAuditChain { ok } }');
    expect(verified.body.data?.verifyAuditChain.ok).toBe(true);
  });

  it('caps the confidence of a clipped rule', async () => {
    await t.gql(SET, { input: { ruleId: 'R0101', state: 'CLIPPED', confidenceMax: 0.5 } });
    expect(await fired('cat /etc/shadow')).toEqual([{ ruleId: 'R0101', confidence: 0.5 }]);
    await t.gql('mutation { clearRuleState(input: { ruleId: "R0101" }) { userErrors { code } } }');
  });

  it('refuses a clipped state without confidenceMax and an unknown rule, as user errors', async () => {
    const clipped = await t.gql<{ setRuleState: { userErrors: { code: string; field: string }[] } }>(SET, { input: { ruleId: 'R0101', state: 'CLIPPED' } });
    expect(clipped.body.data?.setRuleState.userErrors).toMatchObject([{ code: 'BAD_USER_INPUT', field: 'confidenceMax' }]);
    const unknown = await t.gql<{ setRuleState: { userErrors: { code: string }[] } }>(SET, { input: { ruleId: 'R9999', state: 'DISABLED' } });
    expect(unknown.body.data?.setRuleState.userErrors).toMatchObject([{ code: 'NOT_FOUND' }]);
  });

  it('reverts an expired state to enabled and publishes the change', async () => {
    const client = createClient({ url: t.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${t.adminToken}` } });
    const changes: { cause: string; effectiveState: string }[] = [];
    client.subscribe(
      { query: 'subscription { ruleStateChanged(ruleId: "R0102") { cause effectiveState } }' },
      { next: (m) => changes.push((m.data as { ruleStateChanged: (typeof changes)[number] }).ruleStateChanged), error: () => {}, complete: () => {} },
    );
    await new Promise((r) => setTimeout(r, 200));
    const expiresAt = new Date(Date.now() + 600).toISOString();
    await t.gql(SET, { input: { ruleId: 'R0102', state: 'DISABLED', expiresAt } });
    expect(await fired('whoami')).toEqual([]);
    await eventually(() => changes.some((c) => c.cause === 'expired'));
    expect(changes).toEqual([
      { cause: 'set', effectiveState: 'DISABLED' },
      { cause: 'expired', effectiveState: 'ENABLED' },
    ]);
    expect((await fired('whoami')).map((x) => x.ruleId)).toEqual(['R0102']);
    await client.dispose();
  });

  it('keeps the last good version of a file whose edit is broken, and reports the error', async () => {
    const file = path.join(rulesDir, 'R0102-whoami.yaml');
    const good = await readFile(file, 'utf8');
    await writeFile(file, good.replace('rule_version: 1', 'rule_version: 2').replace('confidence: 0.6', 'confidence: high'));
    await eventually(async () => {
      const r = await t.gql<{ rule: { loadError: string | null } }>(RULE, { id: 'R0102' });
      return r.body.data?.rule.loadError !== null;
    });
    const rule = await t.gql<{ rule: { ruleVersion: number; loadError: string } }>(RULE, { id: 'R0102' });
    expect(rule.body.data?.rule).toMatchObject({ ruleVersion: 1 });
    expect(rule.body.data?.rule.loadError).toBe(`'emits[0].confidence' must be a number between 0 and 1, got "high"`);
    expect((await fired('whoami')).map((x) => x.ruleId)).toEqual(['R0102']);
    const readiness = await t.gql<{ readiness: { subsystems: { name: string; status: string }[]; hints: { code: string }[] } }>('{ readiness { subsystems { name status } hints { code } } }');
    expect(readiness.body.data?.readiness.hints.map((h) => h.code)).toContain('rule_edit_invalid');
    await writeFile(file, good);
  });

  it('stops firing a rule within 2 s of its file being deleted', async () => {
    expect((await fired('cat /etc/shadow')).map((x) => x.ruleId)).toEqual(['R0101']);
    await rm(path.join(rulesDir, 'R0101-shadow.yaml'));
    await eventually(async () => (await t.gql<{ rule: null | object }>(RULE, { id: 'R0101' })).body.data?.rule === null, 2000);
    expect(await fired('cat /etc/shadow')).toEqual([]);
  });
});
