import http from 'node:http';

/** One prebuilt request the paced load sends as it is. */
export interface PacedRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface PacedShape {
  /** Requests per second, evenly spaced: request i is due at start + i / rate. */
  rate: number;
  durationSeconds: number;
  /** Keep-alive sockets at most; a request due while all are busy waits for one (and that wait counts). */
  connections: number;
  /** Per request, ms; a request with no answer by then counts as a timeout. */
  timeoutMs?: number;
}

export interface PacedResult {
  /** Due time to the end of the response, ms, per answered request: the wait for a socket and any lateness of the sender included. */
  latenciesMs: Float64Array;
  /** Send to end of response, ms, per answered request (what the server and the wire took once the request left). */
  serviceMs: Float64Array;
  answered: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Wall time from the first due time to the last answer, s. */
  seconds: number;
  /** How late the sender was at worst against a due time, ms (a busy load generator shows here). */
  maxSendLagMs: number;
}

/**
 * Open-loop load at a constant rate, in the manner of wrk2: requests are due on a fixed schedule
 * whether or not earlier ones have answered, and each latency is measured from when the request was
 * due, so a stall in the server shows up in every request that queued behind it instead of being
 * hidden (coordinated omission). autocannon's `overallRate` instead sends each second's quota back
 * to back from the start of the second, which measures closed-loop latency under bursts, not
 * latency at a rate.
 */
export async function runPaced(origin: string, requests: readonly PacedRequest[], shape: PacedShape): Promise<PacedResult> {
  if (requests.length === 0) throw new Error('runPaced: no requests to send');
  const url = new URL(origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: shape.connections, maxFreeSockets: shape.connections });
  const total = Math.round(shape.rate * shape.durationSeconds);
  const latenciesMs = new Float64Array(total);
  const serviceMs = new Float64Array(total);
  const statusCodes: Record<string, number> = {};
  const timeoutMs = shape.timeoutMs ?? 10_000;
  const intervalNs = 1e9 / shape.rate;
  let answered = 0;
  let errors = 0;
  let timeouts = 0;
  let finished = 0;
  let lastEnd = 0n;
  let maxSendLagNs = 0n;
  const start = process.hrtime.bigint();

  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const settle = () => {
    finished += 1;
    if (finished === total) resolveDone();
  };

  const send = (i: number, dueNs: bigint) => {
    const request = requests[i % requests.length] as PacedRequest;
    const sentAt = process.hrtime.bigint();
    if (sentAt - dueNs > maxSendLagNs) maxSendLagNs = sentAt - dueNs;
    const req = http.request(
      { agent, host: url.hostname, port: url.port, method: request.method, path: request.path, headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) } },
      (res) => {
        res.resume();
        res.on('end', () => {
          const end = process.hrtime.bigint();
          latenciesMs[answered] = Number(end - dueNs) / 1e6;
          serviceMs[answered] = Number(end - sentAt) / 1e6;
          answered += 1;
          if (end > lastEnd) lastEnd = end;
          const code = String(res.statusCode);
          statusCodes[code] = (statusCodes[code] ?? 0) + 1;
          settle();
        });
      },
    );
    req.setTimeout(timeoutMs, () => {
      timeouts += 1;
      req.destroy(new Error('timeout'));
    });
    req.on('error', (err) => {
      if (err.message !== 'timeout') errors += 1;
      settle();
    });
    req.end(request.body);
  };

  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = process.hrtime.bigint();
      while (next < total) {
        const due = start + BigInt(Math.round(next * intervalNs));
        if (due > now) break;
        send(next, due);
        next += 1;
      }
      if (next >= total) return resolve();
      const waitMs = Number(start + BigInt(Math.round(next * intervalNs)) - process.hrtime.bigint()) / 1e6;
      setTimeout(tick, Math.max(0, Math.floor(waitMs)));
    };
    tick();
  });
  await done;
  agent.destroy();
  return {
    latenciesMs: latenciesMs.subarray(0, answered),
    serviceMs: serviceMs.subarray(0, answered),
    answered,
    statusCodes,
    errors,
    timeouts,
    seconds: Number((lastEnd > start ? lastEnd : process.hrtime.bigint()) - start) / 1e9,
    maxSendLagMs: Math.round(Number(maxSendLagNs) / 1e4) / 100,
  };
}
