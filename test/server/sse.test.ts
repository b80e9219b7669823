import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/** Subscriptions over Server-Sent Events on POST /graphql (DESIGN §5), the transport GraphiQL uses. */
describe('subscriptions over SSE', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.stop();
  });

  /** Reads the stream until `done(text)` holds, then aborts the request. */
  async function readUntil(response: Response, abort: AbortController, done: (text: string) => boolean): Promise<string> {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    try {
      while (!done(text)) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += chunk.value;
      }
    } finally {
      abort.abort();
      await reader.cancel().catch(() => {});
    }
    return text;
  }

  const subscribe = (query: string, abort: AbortController, token: string | null) =>
    fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
      signal: abort.signal,
    });

  it('streams a next event with the current readiness to a viewer', async () => {
    const viewer = await t.tokenFor('viewer');
    const abort = new AbortController();
    const response = await subscribe('subscription { readinessChanged { state } }', abort, viewer);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await readUntil(response, abort, (s) => /event: next\ndata: .*\n\n/.test(s));
    const match = /event: next\ndata: (.*)\n\n/.exec(text);
    expect(match).not.toBeNull();
    expect(JSON.parse(match![1]!)).toEqual({ data: { readinessChanged: { state: 'READY' } }, extensions: { apiVersion: '1.0' } });
  });

  it('releases the subscriber on the server when the client disconnects', async () => {
    const active = async () => Number(/^gatehouse_subscriptions_active (\d+)$/m.exec(await (await fetch(`${t.origin}/metrics`)).text())?.[1]);
    await expect.poll(active, { timeout: 5_000 }).toBe(0); // streams of earlier tests are gone
    const viewer = await t.tokenFor('viewer');
    const abort = new AbortController();
    const response = await subscribe('subscription { readinessChanged { state } }', abort, viewer);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: next')) text += (await reader.read()).value ?? '';
    expect(await active()).toBe(1);
    abort.abort();
    await reader.cancel().catch(() => {});
    await expect.poll(active, { timeout: 5_000 }).toBe(0);
  });

  it('streams UNAUTHENTICATED and ends the stream when the subscriber has no token', async () => {
    const response = await subscribe('subscription { readinessChanged { state } }', new AbortController(), null);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text(); // resolves only when the server ends the stream
    const match = /event: next\ndata: (.*)\n\n/.exec(text);
    const result = JSON.parse(match![1]!) as { errors: { extensions: { code: string } }[] };
    expect(result.errors.map((e) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
    expect(text).toContain('event: complete');
  });
});
