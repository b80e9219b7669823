import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandEvent, copyRules, eventually, INGEST } from '../helpers/tagging.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { connectWs, record, type RecordedOperation, type WsConnection } from './ws-client.ts';

/**
 * Fan-out over real sockets (issue 3): subscribers that share executions and frame texts still get
 * exactly their own stream — their filter, their role's view, the api version on every message.
 */
const QUERY = 'subscription ($filter: TtpTaggedFilter) { ttpTagged(filter: $filter) { sourceId attackerId tags { ruleId } } }';

describe('ttpTagged fan-out over graphql-ws', () => {
  let t: TestApp;
  const connections: WsConnection[] = [];
  const open = async (token: string) => {
    const connection = connectWs(t.wsUrl, `Bearer ${token}`);
    connections.push(connection);
    await connection.connected;
    return connection;
  };

  beforeAll(async () => {
    t = await startTestApp({ rulesDir: await copyRules('basic'), watchRules: false });
  });
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.dispose()));
    await t.stop();
  });

  it('gives identical subscribers the same messages and keeps filtered and other-role subscribers to their own', async () => {
    const admin = await Promise.all([1, 2, 3].map(() => open(t.adminToken)));
    const viewer = await open(await t.tokenFor('viewer'));
    const all: RecordedOperation[] = admin.map((c) => record(c.client, { query: QUERY }));
    // Two on one socket: the frames of both operations interleave on it.
    all.push(record(admin[0]!.client, { query: QUERY }));
    const onlySecond = record(admin[1]!.client, { query: QUERY, variables: { filter: { attackerId: 'attacker-2' } } });
    const asViewer = record(viewer.client, { query: QUERY });
    await eventually(async () => {
      const metrics = await (await fetch(`${t.origin}/metrics`)).text();
      return /gatehouse_subscriptions_active (\d+)/.exec(metrics)?.[1] === '6';
    });

    const events = Array.from({ length: 10 }, (_, i) => commandEvent(`fan-${i}`, 'cat /etc/shadow', { attackerId: i % 2 === 0 ? 'attacker-1' : 'attacker-2' }));
    const response = await t.gql(INGEST, { events });
    expect(response.body.errors).toBeUndefined();
    await Promise.all([...all, asViewer].map((op) => op.event(9)));
    await onlySecond.event(4);

    const nexts = (op: RecordedOperation) => op.events.map((e) => (e.kind === 'next' ? e.result : e));
    const first = nexts(all[0]!);
    expect(first).toHaveLength(10);
    expect(first.map((r) => (r as { data: { ttpTagged: { sourceId: string } } }).data.ttpTagged.sourceId)).toEqual(events.map((e) => e.sourceId));
    for (const r of first) expect(r).toMatchObject({ extensions: { apiVersion: expect.any(String) } });
    for (const op of [...all.slice(1), asViewer]) expect(nexts(op)).toEqual(first);

    const filtered = nexts(onlySecond);
    expect(filtered.map((r) => (r as { data: { ttpTagged: { attackerId: string } } }).data.ttpTagged.attackerId)).toEqual(Array(5).fill('attacker-2'));
  });

  it('answers a subscriber without a token with its own error while the others on the stream go on', async () => {
    const anonymous = connectWs(t.wsUrl);
    connections.push(anonymous);
    await anonymous.connected;
    const authorised = connectWs(t.wsUrl, `Bearer ${t.adminToken}`);
    connections.push(authorised);
    await authorised.connected;
    const live = record(authorised.client, { query: QUERY });
    const refused = record(anonymous.client, { query: QUERY });
    expect(await refused.event(0)).toMatchObject({ kind: 'next', result: { errors: [{ extensions: { code: 'UNAUTHENTICATED' } }], extensions: { apiVersion: expect.any(String) } } });
    expect(await refused.event(1)).toEqual({ kind: 'complete' });
    expect(anonymous.isOpen()).toBe(true);

    await eventually(async () => {
      const metrics = await (await fetch(`${t.origin}/metrics`)).text();
      return /gatehouse_subscriptions_active (\d+)/.exec(metrics)?.[1] === '7';
    });
    await t.gql(INGEST, { events: [commandEvent('fan-after-refusal', 'cat /etc/shadow')] });
    expect(await live.event(0)).toMatchObject({ kind: 'next', result: { data: { ttpTagged: { sourceId: 'fan-after-refusal' } } } });
  });
});
