import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { commandEvent, copyRules, INGEST } from '../helpers/tagging.ts';

interface IngestData {
  ingestEvents: { accepted: number; rejected: number; newEvents: number; newTags: number; deduplicated: boolean; results: { index: number; accepted: boolean; field: string | null; error: string | null; newTagIds: string[] }[] };
}

describe('ingest and ttpTagged', () => {
  let t: TestApp;
  let client: Client;
  const received: { sourceId: string; tags: { ruleId: string }[]; cursor: string }[] = [];

  beforeAll(async () => {
    t = await startTestApp({ rulesDir: await copyRules('basic'), watchRules: false });
    client = createClient({ url: t.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${t.adminToken}` } });
    await new Promise<void>((resolve) => {
      client.subscribe(
        { query: 'subscription { ttpTagged { cursor sourceId tags { ruleId } } }' },
        { next: (m) => received.push((m.data as { ttpTagged: (typeof received)[number] }).ttpTagged), error: () => {}, complete: () => {} },
      );
      setTimeout(resolve, 200);
    });
  });
  afterAll(async () => {
    await client.dispose();
    await t.stop();
  });

  it('creates tags once when the same 1,000 events are ingested twice, and publishes nothing the second time', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => commandEvent(`dup-${i}`, i % 2 === 0 ? 'cat /etc/shadow' : 'ls -l'));
    const first = await t.gql<IngestData>(INGEST, { events });
    expect(first.body.data?.ingestEvents).toMatchObject({ accepted: 1000, rejected: 0, newEvents: 1000, newTags: 500 });
    await new Promise((r) => setTimeout(r, 300));
    expect(received.filter((m) => m.sourceId.startsWith('dup-'))).toHaveLength(500);
    const before = received.length;
    const second = await t.gql<IngestData>(INGEST, { events });
    expect(second.body.data?.ingestEvents).toMatchObject({ accepted: 1000, newEvents: 0, newTags: 0 });
    expect(second.body.data?.ingestEvents.results.every((r) => r.newTagIds.length === 0)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(received.length).toBe(before);
  });

  it('rejects invalid events one by one while the valid ones land', async () => {
    const response = await t.gql<IngestData>(INGEST, {
      events: [commandEvent('ok-1', 'whoami'), { sourceKind: 'command', sourceId: 'bad-1', payload: { command_text: 42 } }, { sourceKind: 'nope', sourceId: 'bad-2', payload: {} }],
    });
    const result = response.body.data?.ingestEvents;
    expect(result).toMatchObject({ accepted: 1, rejected: 2 });
    expect(result?.results[1]).toMatchObject({ accepted: false, field: 'payload' });
    expect(result?.results[1]?.error).toContain("'command_text'");
    expect(result?.results[2]).toMatchObject({ accepted: false, field: 'sourceKind' });
    expect(result?.results[0]?.newTagIds).toHaveLength(1);
  });

  it('returns the first result, marked deduplicated, for a repeated idempotency key', async () => {
    const events = [commandEvent('idem-1', 'whoami')];
    const first = await t.gql<IngestData>(INGEST, { events, key: 'batch-7' });
    const again = await t.gql<IngestData>(INGEST, { events: [commandEvent('idem-2', 'whoami')], key: 'batch-7' });
    expect(first.body.data?.ingestEvents.deduplicated).toBe(false);
    expect(again.body.data?.ingestEvents).toEqual({ ...first.body.data?.ingestEvents, deduplicated: true });
  });

  it('is not slowed down by a rule whose pattern is (a+)+$', async () => {
    const response = await t.gql<IngestData>(INGEST, { events: [commandEvent('redos-1', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!')] });
    expect(response.body.data?.ingestEvents.accepted).toBe(1);
  });

  it('replays from a cursor and then continues live with no gap and no duplicate', async () => {
    const marker = received.find((m) => m.sourceId === 'ok-1');
    expect(marker).toBeDefined();
    const replayed: string[] = [];
    const replayClient = createClient({ url: t.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${t.adminToken}` } });
    try {
      const done = new Promise<void>((resolve) => {
        replayClient.subscribe(
          { query: `subscription { ttpTagged(after: "${marker?.cursor}") { sourceId } }` },
          {
            next: (m) => {
              replayed.push((m.data as { ttpTagged: { sourceId: string } }).ttpTagged.sourceId);
              if (replayed.includes('live-1')) resolve();
            },
            error: () => resolve(),
            complete: () => resolve(),
          },
        );
      });
      await new Promise((r) => setTimeout(r, 300));
      await t.gql(INGEST, { events: [commandEvent('live-1', 'whoami')] });
      await done;
    } finally {
      await replayClient.dispose();
    }
    const expected = received.slice(received.indexOf(marker as (typeof received)[number]) + 1).map((m) => m.sourceId);
    expect(replayed).toEqual(expected);
    expect(new Set(replayed).size).toBe(replayed.length);
  });

  it('ingests NDJSON over POST /ingest and reports bad lines by number', async () => {
    const lines = [JSON.stringify(commandEvent('nd-1', 'cat /etc/shadow')), '{not json', JSON.stringify({ sourceKind: 'command', sourceId: 'nd-2', payload: {} }), '', JSON.stringify(commandEvent('nd-3', 'whoami'))];
    const response = await fetch(`${t.origin}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${t.adminToken}` },
      body: lines.join('\n'),
    });
    expect(response.status).toBe(200);
    const summary = (await response.json()) as { accepted: number; rejected: number; newTags: number; errors: { line: number; field: string | null }[] };
    expect(summary).toMatchObject({ accepted: 2, rejected: 2, newTags: 2 });
    expect(summary.errors.map((e) => e.line)).toEqual([2, 3]);
  });

  it('over several batches (one committing while the next is tagged) lands every valid line and reports bad lines in line order', async () => {
    // Payload errors are found when a batch is validated, JSON errors while the body is read: both
    // kinds, in three batches, must come back in line order.
    const badPayload = new Set([7, 2001, 2002, 4500, 5000]);
    const notJson = new Set([10, 2003, 4001]);
    const lines = Array.from({ length: 5000 }, (_, i) => {
      const line = i + 1;
      if (notJson.has(line)) return '{not json';
      if (badPayload.has(line)) return JSON.stringify({ sourceKind: 'command', sourceId: `many-${line}`, payload: {} });
      return JSON.stringify(commandEvent(`many-${line}`, i % 2 === 0 ? 'cat /etc/shadow' : 'ls'));
    });
    const response = await fetch(`${t.origin}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${t.adminToken}` },
      body: lines.join('\n'),
    });
    expect(response.status).toBe(200);
    const summary = (await response.json()) as { lines: number; accepted: number; rejected: number; newEvents: number; newTags: number; errors: { line: number; field: string | null }[] };
    expect(summary).toMatchObject({ lines: 5000, accepted: 4992, rejected: 8, newEvents: 4992 });
    expect(summary.errors.map((e) => e.line)).toEqual([7, 10, 2001, 2002, 2003, 4001, 4500, 5000]);
    // Every other line reads /etc/shadow, which R0101 tags once; lines 7, 2001, 2003 and 4001 among them are bad.
    const bad = new Set([...badPayload, ...notJson]);
    const shadowLines = lines.filter((_, i) => i % 2 === 0 && !bad.has(i + 1)).length;
    expect(shadowLines).toBe(2496);
    expect(summary.newTags).toBe(shadowLines);
    const stored = await t.gql<{ tags: { totalCount: number } }>('query { tags(filter: { ruleId: "R0101", sourceId: "many-4999" }) { totalCount } }');
    expect(stored.body.errors).toBeUndefined();
    expect(stored.body.data?.tags.totalCount).toBe(1);
  });

  it('reports the first 1,000 bad lines by line number, counts the rest, and says the list is truncated', async () => {
    const lines = Array.from({ length: 4500 }, (_, i) => (i % 2 === 0 ? JSON.stringify({ sourceKind: 'command', sourceId: `bad-${i}`, payload: {} }) : 'nope'));
    const response = await fetch(`${t.origin}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${t.adminToken}` },
      body: lines.join('\n'),
    });
    const summary = (await response.json()) as { rejected: number; accepted: number; errors: { line: number; field: string | null }[]; errorsTruncated: boolean };
    expect(summary).toMatchObject({ accepted: 0, rejected: 4500, errorsTruncated: true });
    expect(summary.errors.map((e) => e.line)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(summary.errors[0]?.field).toBe('payload');
    expect(summary.errors[1]?.field).toBeNull();
  });

  it('refuses POST /ingest without an operator token', async () => {
    const viewer = await t.tokenFor('viewer');
    const denied = await fetch(`${t.origin}/ingest`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${viewer}` }, body: '' });
    expect(denied.status).toBe(403);
    const anonymous = await fetch(`${t.origin}/ingest`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: '' });
    expect(anonymous.status).toBe(401);
  });
});
