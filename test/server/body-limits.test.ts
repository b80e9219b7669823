import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { connectWs, record } from './ws-client.ts';

/** Request and message size limits (DESIGN §10: set a body limit and `ws` maxPayload; defaults are 1 MiB). */
const LIMIT = 1024 * 1024;
const TOO_LARGE = {
  errors: [
    {
      message: `request body exceeds the limit of ${LIMIT} bytes`,
      extensions: { code: 'PAYLOAD_TOO_LARGE', details: { limitBytes: LIMIT } },
    },
  ],
  extensions: { apiVersion: '1.0' },
};

/** POSTs `chunks` with `transfer-encoding: chunked` (no content-length) and returns status and body. */
function postChunked(url: string, chunks: string[]): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    // The server may answer and close before the whole body is sent; the response is what counts.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('size limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('refuses a POST body over 1 MiB with a content-length with 413 PAYLOAD_TOO_LARGE', async () => {
    const body = JSON.stringify({ query: '{ serverInfo { name } }', variables: { pad: 'x'.repeat(LIMIT) } });
    const response = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(413);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(await response.json()).toEqual(TOO_LARGE);
  });

  it('refuses a chunked POST body that grows past 1 MiB with 413', async () => {
    const head = JSON.stringify({ query: '{ serverInfo { name } }' }).slice(0, -1) + ',"pad":"';
    const chunks = [head, ...Array.from({ length: 20 }, () => 'y'.repeat(64 * 1024)), '"}'];
    const response = await postChunked(t.url, chunks);
    expect(response.status).toBe(413);
    expect(response.headers['content-length']).toBeDefined();
    expect(JSON.parse(response.body)).toEqual(TOO_LARGE);
  });

  it('still answers a chunked POST body under the limit', async () => {
    const body = JSON.stringify({ query: '{ serverInfo { name } }', variables: { pad: 'z'.repeat(100_000) } });
    const response = await postChunked(t.url, [body.slice(0, 10), body.slice(10, 50_000), body.slice(50_000)]);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ data: { serverInfo: { name: 'gatehouse' } }, extensions: { apiVersion: '1.0' } });
  });

  it('closes a socket that sends a graphql-ws message over 1 MiB with 1009 and keeps serving others', async () => {
    // graphql-ws's `ws` adapter reports the refused frame with console.error (not our logger); keep the run quiet.
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const viewer = await t.tokenFor('viewer');
    const bystander = connectWs(t.wsUrl, `Bearer ${viewer}`);
    const offender = connectWs(t.wsUrl, `Bearer ${viewer}`);
    try {
      await Promise.all([bystander.connected, offender.connected]);
      const oversized = record(offender.client, { query: '{ serverInfo { name } }', variables: { pad: 'x'.repeat(LIMIT) } });
      expect((await offender.closed).code).toBe(1009);
      expect(await oversized.event(0)).toMatchObject({ kind: 'error', error: { code: 1009 } });

      expect(bystander.isOpen()).toBe(true);
      const answer = await record(bystander.client, { query: '{ serverInfo { name } }' }).event(0);
      expect(answer).toMatchObject({ kind: 'next', result: { data: { serverInfo: { name: 'gatehouse' } } } });

      const newcomer = connectWs(t.wsUrl, `Bearer ${viewer}`);
      try {
        const fresh = await record(newcomer.client, { query: '{ serverInfo { name } }' }).event(0);
        expect(fresh).toMatchObject({ kind: 'next', result: { data: { serverInfo: { name: 'gatehouse' } } } });
      } finally {
        await newcomer.dispose();
      }
    } finally {
      consoleError.mockRestore();
      await Promise.all([bystander.dispose(), offender.dispose()]);
    }
  });
});
