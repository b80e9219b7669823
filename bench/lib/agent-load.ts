import type { EventEmitter } from 'node:events';
import autocannon from 'autocannon';

/** One agent token the bench server created (bench/servers/gatehouse-gateway-server.ts). */
export interface AgentToken {
  agent: string;
  secret: string;
}

/** A prebuilt HTTP request autocannon sends as it is (no per-request rebuilding in the load generator). */
interface FixedRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The part of autocannon 9's options this bench needs beyond bench/types/autocannon.d.ts, which
 * types only the promise form: the callback form returns the running instance, whose 'response'
 * events carry each response time in fractional milliseconds (the aggregated histogram has 1 ms
 * resolution, too coarse for a 10 ms target).
 */
interface CallbackOptions {
  url: string;
  requests: FixedRequest[];
  connections: number;
  duration: number;
  pipelining: 1;
  timeout: number;
  skipAggregateResult: true;
  overallRate?: number;
  /** With a rate, autocannon would otherwise add synthetic samples for responses slower than the interval. */
  ignoreCoordinatedOmission?: boolean;
}
type RunWithCallback = (options: CallbackOptions, done: (err: Error | null, result: autocannon.RawResult) => void) => EventEmitter;
const runWithCallback = autocannon as unknown as RunWithCallback;

/**
 * `POST /request` read_file `docs/readme.md` under SPEC-DOCS, one prebuilt request per agent. Every
 * connection cycles through all of them, so each agent gets 1/agents of the load whatever the
 * connection count (the per-agent budget is 120 requests a minute).
 */
export function readFileRequests(tokens: readonly AgentToken[]): FixedRequest[] {
  return tokens.map(({ agent, secret }) => ({
    method: 'POST',
    path: '/request',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify({ agent, role: 'developer', spec_id: 'SPEC-DOCS', action: 'read_file', params: { path: 'docs/readme.md' }, rationale: 'bench' }),
  }));
}

export interface LoadShape {
  connections: number;
  durationSeconds: number;
  /** Requests per second over all connections (autocannon `overallRate`); absent: closed loop, as fast as answered. */
  overallRate?: number;
}

export interface PhaseResult {
  raw: autocannon.RawResult;
  /** Response time of every answered request, ms, in arrival order. */
  latenciesMs: number[];
  statusCodes: Record<string, number>;
}

/**
 * One autocannon run. Note how `overallRate` paces: each connection may send rate/connections
 * requests per second and sends them closed-loop from the start of each second, then waits for the
 * next second; the load arrives in per-second bursts of up to `connections` concurrent requests,
 * not evenly spaced.
 */
export function runPhase(origin: string, requests: FixedRequest[], shape: LoadShape): Promise<PhaseResult> {
  const latenciesMs: number[] = [];
  const statusCodes: Record<string, number> = {};
  return new Promise((resolve, reject) => {
    const instance = runWithCallback(
      {
        url: origin,
        requests,
        connections: shape.connections,
        duration: shape.durationSeconds,
        pipelining: 1,
        timeout: 10,
        skipAggregateResult: true,
        ...(shape.overallRate ? { overallRate: shape.overallRate, ignoreCoordinatedOmission: true } : {}),
      },
      (err, raw) => (err ? reject(err) : resolve({ raw, latenciesMs, statusCodes })),
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
      latenciesMs.push(responseTimeMs);
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    });
  });
}

/** Throughput and latency of one phase; latency percentiles are nearest-rank over every response (ms, 0.01). */
export function phaseFigures(phase: PhaseResult, shape: LoadShape, serverCpuMicros: number) {
  const sorted = Float64Array.from(phase.latenciesMs).sort();
  const n = sorted.length;
  const at = (p: number) => (n === 0 ? null : round2(sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))] as number));
  const seconds = phase.raw.duration;
  const twoHundreds = phase.statusCodes['200'] ?? 0;
  return {
    offeredRate: shape.overallRate ?? 'closed loop',
    connections: shape.connections,
    seconds: round2(seconds),
    responses: n,
    requestsPerSecond: round2(n / seconds),
    latencyMs: { p50: at(50), p90: at(90), p99: at(99), max: at(100), mean: n === 0 ? null : round2(sorted.reduce((s, v) => s + v, 0) / n) },
    statusCodes: phase.statusCodes,
    non2xx: phase.raw.non2xx,
    errors: phase.raw.errors,
    timeouts: phase.raw.timeouts,
    approved: twoHundreds,
    serverCpuMicrosPerRequest: n === 0 ? null : Math.round(serverCpuMicros / n),
  };
}

const round2 = (v: number) => Math.round(v * 100) / 100;
