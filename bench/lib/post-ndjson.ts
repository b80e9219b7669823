import { request } from 'node:http';

export interface NdjsonAnswer {
  status: number;
  body: unknown;
  /** From the first body byte written to the last answer byte read, in milliseconds. */
  elapsedMs: number;
}

/**
 * POSTs NDJSON to `<origin>/ingest`, writing `chunks` one after another and waiting for 'drain'
 * whenever the socket buffer is full, so the server's backpressure paces the sender as a real
 * client would be paced. Resolves with the parsed answer once it has fully arrived.
 */
export function postNdjson(origin: string, token: string, chunks: readonly Buffer[]): Promise<NdjsonAnswer> {
  const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  return new Promise((resolve, reject) => {
    let started = 0n;
    const req = request(`${origin}/ingest`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/x-ndjson', 'content-length': String(length), authorization: `Bearer ${token}` },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('error', reject);
      res.on('end', () => {
        const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
        const text = Buffer.concat(parts).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown, elapsedMs });
        } catch {
          reject(new Error(`POST /ingest answered ${res.statusCode} with a body that is not JSON: ${text.slice(0, 300)}`));
        }
      });
    });
    const write = async () => {
      started = process.hrtime.bigint();
      for (const chunk of chunks) {
        if (!req.write(chunk)) await new Promise<void>((done) => req.once('drain', done));
      }
      req.end();
    };
    write().catch(reject);
  });
}
