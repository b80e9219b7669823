import autocannon from 'autocannon';

/** One GraphQL POST that a load run repeats; `expectBody` is the exact answer a correct server sends. */
export interface LoadTarget {
  name: string;
  url: string;
  body: string;
  expectBody: string;
}

export interface LoadShape {
  connections: number;
  durationSeconds: number;
}

/** One load run and the CPU time the server process spent during it. */
export interface MeasuredRun {
  load: autocannon.RawResult;
  serverCpuMicros: number;
}

export interface LoadFigures {
  /** Completed responses per second over the measured time. */
  requestsPerSecond: number;
  /**
   * Server CPU time (user + system) per completed response. Unlike requests/s it barely moves when
   * other processes compete for the CPU, so it is the steadier figure on a shared machine.
   */
  serverCpuMicrosPerRequest: number;
  latencyMs: { p50: number; p99: number; mean: number; max: number };
  requests: number;
  seconds: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** 2xx responses whose body was not `expectBody`. */
  mismatches: number;
}

const HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };

/** Sends the target's request once and returns the response body; throws unless it is a 200 without errors. */
export async function probe(target: Omit<LoadTarget, 'expectBody'>): Promise<string> {
  const response = await fetch(target.url, { method: 'POST', headers: HEADERS, body: target.body });
  const text = await response.text();
  let parsed: { data?: unknown; errors?: unknown } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // not JSON: reported below with the body as it arrived
  }
  if (response.status !== 200 || parsed.errors !== undefined || parsed.data === undefined) {
    throw new Error(`${target.name}: expected a 200 with data and no errors, got ${response.status} ${text}`);
  }
  return text;
}

/** One closed-loop autocannon run (each connection sends its next request when the last one answered). */
export function runLoad(target: LoadTarget, shape: LoadShape): Promise<autocannon.RawResult> {
  return autocannon({
    url: target.url,
    method: 'POST',
    headers: HEADERS,
    body: target.body,
    expectBody: target.expectBody,
    connections: shape.connections,
    duration: shape.durationSeconds,
    pipelining: 1,
    timeout: 10,
    skipAggregateResult: true,
  });
}

/** Figures over one or more runs of the same target: latency percentiles over all their samples. */
export function summarise(target: LoadTarget, runs: MeasuredRun[], connections: number): LoadFigures {
  const merged = autocannon.aggregateResult(
    runs.map((run) => run.load),
    { url: target.url, connections, title: target.name },
  );
  const requests = runs.reduce((sum, run) => sum + run.load.totalCompletedRequests, 0);
  const seconds = runs.reduce((sum, run) => sum + run.load.duration, 0);
  const cpuMicros = runs.reduce((sum, run) => sum + run.serverCpuMicros, 0);
  return {
    requestsPerSecond: round(requests / seconds),
    serverCpuMicrosPerRequest: round(cpuMicros / requests, 1),
    latencyMs: {
      p50: merged.latency.p50,
      p99: merged.latency.p99,
      mean: round(merged.latency.average),
      max: merged.latency.max,
    },
    requests,
    seconds: round(seconds),
    errors: merged.errors,
    timeouts: merged.timeouts,
    non2xx: merged.non2xx,
    mismatches: merged.mismatches,
  };
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
