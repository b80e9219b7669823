import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { connectWs, record, type RecordedOperation, type WsConnection } from '../server/ws-client.ts';
import { createProject, decide, DEVELOPER, FIXTURE_PLUGINS, FIXTURE_POLICY, gatewayRequest, submit, waitForSubscribers, type Project } from './gateway-harness.ts';

/**
 * `gatewayDecisions(after:)` (issue #4 §9): with a cursor it replays the later decisions from the
 * audit log, then continues live, with no gap and no duplicate.
 */
const STREAM = 'subscription($after: String) { gatewayDecisions(after: $after) { cursor request { requestId status } } }';

interface Message {
  cursor: string;
  request: { requestId: string; status: string };
}

const messages = (op: RecordedOperation): Message[] =>
  op.events.map((e) => {
    if (e.kind !== 'next') throw new Error(`unexpected ${e.kind}: ${JSON.stringify(e)}`);
    return (e.result.data as { gatewayDecisions: Message }).gatewayDecisions;
  });

describe('the gatewayDecisions stream', () => {
  let t: TestApp;
  let project: Project;
  let agent: string;
  let ws: WsConnection;
  let lastCursor = '0';
  const read = () => submit(t, agent, { ...DEVELOPER, specId: 'SPEC-DOCS', action: 'read_file', params: { path: 'docs/readme.md' } });
  const escape = () => submit(t, agent, { ...DEVELOPER, specId: 'SPEC-DOCS', action: 'write_file', params: { path: '../x', content: 'x' } });
  const remove = () => submit(t, agent, { ...DEVELOPER, specId: 'SPEC-DOCS', action: 'delete_file', params: { path: 'docs/guide.md' } });

  beforeAll(async () => {
    project = await createProject();
    t = await startTestApp({ projectRoot: project.root, policyDir: FIXTURE_POLICY, pluginDirs: [FIXTURE_PLUGINS] });
    agent = await t.tokenFor('agent');
    ws = connectWs(t.wsUrl, `Bearer ${t.adminToken}`);
    await ws.connected;
  });
  afterAll(async () => {
    await ws?.dispose();
    await t?.stop();
    await project?.cleanup();
  });

  it('replays the decisions after a cursor, then continues live, with no gap and no duplicate', async () => {
    const live = record(ws.client, { query: STREAM });
    await waitForSubscribers(t, 1);
    const [r1, r2, r3] = [await read(), await escape(), await remove()];
    await live.event(2);
    const cursor = messages(live)[0]!.cursor;

    const resumed = record(ws.client, { query: STREAM, variables: { after: cursor } });
    await resumed.event(1); // r2 and r3, from the audit log
    const r4 = await read();
    const decided = await decide(t, t.adminToken, r3.requestId, false, 'stream test');
    await live.event(4);
    await resumed.event(3);

    const ids = (m: Message[]) => m.map((x) => `${x.request.requestId} ${x.request.status}`);
    expect(ids(messages(live))).toEqual([`${r1.requestId} APPROVED`, `${r2.requestId} DENIED`, `${r3.requestId} PENDING_APPROVAL`, `${r4.requestId} APPROVED`, `${r3.requestId} DENIED`]);
    // Replayed entries show the request as it is now; r3 was still pending when it was replayed.
    expect(ids(messages(resumed))).toEqual([`${r2.requestId} DENIED`, `${r3.requestId} PENDING_APPROVAL`, `${r4.requestId} APPROVED`, `${r3.requestId} DENIED`]);
    expect(messages(resumed).map((m) => m.cursor)).toEqual(messages(live).slice(1).map((m) => m.cursor));
    const cursors = messages(live).map((m) => Number(m.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(decided.request?.reason?.code).toBe('approval_rejected');
    lastCursor = messages(live).at(-1)!.cursor;
    live.unsubscribe();
    resumed.unsubscribe();
  });

  it('refuses a cursor that is not one', async () => {
    const bad = record(ws.client, { query: STREAM, variables: { after: 'not-a-cursor' } });
    const event = await bad.event(0);
    expect(event.kind).toBe('next');
    expect(JSON.stringify(event)).toContain('BAD_USER_INPUT');
  });

  // An approved request's decision is audited (seq N) before its handler runs but published when the
  // handler finishes; a request decided meanwhile (seq N+1) is published first. Both must arrive, on
  // a plain subscription and on one resumed with a cursor.
  it('delivers a decision whose action finished after a later decision was published', async () => {
    const live = record(ws.client, { query: STREAM });
    const resumed = record(ws.client, { query: STREAM, variables: { after: lastCursor } });
    await waitForSubscribers(t, 2);
    const slow = submit(t, agent, { ...DEVELOPER, specId: 'SPEC-TOOLS', action: 'pause', params: { ms: 800 } });
    for (let i = 0; i < 50; i += 1) {
      const running = await t.gql<{ gatewayRequests: { edges: { node: { execution: string } }[] } }>('{ gatewayRequests(filter: { action: "pause" }) { edges { node { execution } } } }');
      if (running.body.data?.gatewayRequests.edges.some((e) => e.node.execution === 'running')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const fast = await escape();
    const done = await slow;
    expect((await gatewayRequest(t, done.requestId))?.execution).toBe('completed');
    await Promise.race([Promise.all([live.event(1), resumed.event(1)]), new Promise((resolve) => setTimeout(resolve, 1500))]);
    const expected = [`${fast.requestId} DENIED`, `${done.requestId} APPROVED`];
    expect(messages(live).map((m) => `${m.request.requestId} ${m.request.status}`)).toEqual(expected);
    expect(messages(resumed).map((m) => `${m.request.requestId} ${m.request.status}`)).toEqual(expected);
    live.unsubscribe();
    resumed.unsubscribe();
  });
});
