import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { phaseFigures, readFileRequests, runPhase, type AgentToken, type LoadShape } from './lib/agent-load.ts';
import { tallyAuditDatabase, verifyChainWhenQuiet } from './lib/audit-tally.ts';
import { loadAverage1m, machineFacts, readPositiveInt } from './lib/bench-env.ts';
import { sourceState } from './lib/source-state.ts';
import { startChildServer, type ChildServer } from './lib/child-server.ts';
import { summariseCpuProfiles } from './lib/cpu-profile-summary.ts';
import { runPaced, type PacedResult } from './lib/paced-load.ts';
import { latencySummary } from './lib/latency-stats.ts';

/**
 * End to end `POST /request` read_file `docs/readme.md` with the audit chain committed to a SQLite
 * file (the bench issue: p99 < 10 ms at 500 requests/s on this machine). Gatehouse runs in its own
 * process (bench/servers/gatehouse-gateway-server.ts); this one drives it three ways: open loop at a
 * fixed 500 requests/s evenly spaced, latency from each request's due time (lib/paced-load.ts; the
 * target is judged on this run), then autocannon's per-second bursts at the same rate (`overallRate`),
 * then autocannon closed loop as fast as it answers. Afterwards the chain must verify and hold three
 * entries per request (request_received, decision, action_completed).
 *
 * The load is spread over BENCH_GATEWAY_AGENTS agent tokens (a fleet, so token verification is part of
 * what is measured), and before the runs the bench raises the governance budget to
 * PER_AGENT_BUDGET requests a minute per agent through `updateGovernance` (the default, 120, would
 * deny the closed-loop run's requests as budget_exceeded); the database tally reports any
 * budget_exceeded decision, which would mean the budget is still too small for the rate reached.
 *
 * Env: BENCH_GATEWAY_RATE (500), BENCH_DURATION_SECONDS (20) per measured run, BENCH_WARMUP_SECONDS (5,
 * at the fixed rate), BENCH_CONNECTIONS (10), BENCH_GATEWAY_AGENTS (250), BENCH_GATEWAY_PROFILE=1 to
 * run the server with --cpu-prof and report its hot spots during the measured runs (BENCH_PROFILE_TOP
 * of them, 15 by default).
 */
export const TARGET = { p99Ms: 10, atRps: 500 };
/** Requests a minute one agent may make during the bench: 250 agents × 600 = 2,500 a second. */
const PER_AGENT_BUDGET = 600;
const SERVER_SCRIPT = fileURLToPath(new URL('servers/gatehouse-gateway-server.ts', import.meta.url));

export default async function gatewayRequestBench() {
  const rate = readPositiveInt('BENCH_GATEWAY_RATE', TARGET.atRps);
  const durationSeconds = readPositiveInt('BENCH_DURATION_SECONDS', 20);
  const warmupSeconds = readPositiveInt('BENCH_WARMUP_SECONDS', 5);
  const connections = readPositiveInt('BENCH_CONNECTIONS', 10);
  const agents = readPositiveInt('BENCH_GATEWAY_AGENTS', 250);
  const profile = process.env.BENCH_GATEWAY_PROFILE === '1';
  const startedAt = new Date();
  const loadAtStart = loadAverage1m();
  const base = await mkdtemp(path.join(tmpdir(), 'gatehouse-gateway-bench-'));
  const dirs = { data: path.join(base, 'data'), root: path.join(base, 'root'), profiles: path.join(base, 'profiles'), tokens: path.join(base, 'tokens.json') };
  let server: ChildServer | null = null;
  try {
    await mkdir(path.join(dirs.root, 'docs'), { recursive: true });
    await writeFile(path.join(dirs.root, 'docs', 'readme.md'), '# Readme\n\nA file agents may read.\n');
    progress(`starting Gatehouse with ${agents} agent tokens${profile ? ' (--cpu-prof)' : ''}`);
    server = await startChildServer({
      name: 'gatehouse-gateway',
      script: SERVER_SCRIPT,
      nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${dirs.profiles}`] : [],
      env: { BENCH_GATEWAY_DATA_DIR: dirs.data, BENCH_GATEWAY_PROJECT_ROOT: dirs.root, BENCH_GATEWAY_TOKENS_FILE: dirs.tokens, BENCH_GATEWAY_AGENTS: String(agents) },
    });
    const live = server;
    if (!live.adminToken) throw new Error('the bench server announced no admin token');
    const tokens = JSON.parse(await readFile(dirs.tokens, 'utf8')) as AgentToken[];
    const requests = readFileRequests(tokens);
    const first = requests[0];
    if (!first) throw new Error('the bench server created no agent tokens');
    const probe = await fetch(`${live.origin}${first.path}`, { method: 'POST', headers: first.headers, body: first.body });
    const probeBody = (await probe.json()) as { status?: string; result?: { content?: string } };
    if (probe.status !== 200 || probeBody.status !== 'approved' || !probeBody.result?.content?.startsWith('# Readme')) {
      throw new Error(`probe: expected 200 approved with the file's content, got ${probe.status} ${JSON.stringify(probeBody)}`);
    }

    await raiseAgentBudget(live.origin, live.adminToken, PER_AGENT_BUDGET);

    const measure = async (label: string, shape: LoadShape) => {
      progress(`${label}: ${shape.durationSeconds} s, ${shape.overallRate ? `${shape.overallRate} requests/s` : 'closed loop'}, ${shape.connections} connections`);
      const cpuBefore = await live.cpuMicros();
      const phase = await runPhase(live.origin, requests, shape);
      const figures = phaseFigures(phase, shape, (await live.cpuMicros()) - cpuBefore);
      progress(`  ${figures.requestsPerSecond} requests/s, p50 ${figures.latencyMs.p50} ms, p99 ${figures.latencyMs.p99} ms, non-2xx ${figures.non2xx}`);
      return figures;
    };
    const measurePaced = async (label: string, seconds: number) => {
      progress(`${label}: ${seconds} s, open loop, ${rate} requests/s evenly spaced, up to ${connections} connections`);
      const cpuBefore = await live.cpuMicros();
      const paced = await runPaced(live.origin, requests, { rate, durationSeconds: seconds, connections });
      const figures = pacedFigures(paced, rate, connections, (await live.cpuMicros()) - cpuBefore);
      progress(`  ${figures.requestsPerSecond} requests/s, p50 ${figures.latencyMs.p50} ms, p99 ${figures.latencyMs.p99} ms, non-2xx ${figures.non2xx}`);
      return figures;
    };
    await measurePaced('warm-up', warmupSeconds);
    const window = { startNs: process.hrtime.bigint(), endNs: 0n };
    const fixedRate = await measurePaced('fixed rate', durationSeconds);
    const bursts = await measure('per-second bursts', { connections, durationSeconds, overallRate: rate });
    const uncapped = await measure('uncapped', { connections, durationSeconds });
    window.endNs = process.hrtime.bigint();

    progress('waiting for in-flight requests, then verifying the audit chain');
    const liveChain = await verifyChainWhenQuiet(live.origin, live.adminToken);
    await live.stop();
    server = null;
    const audit = await tallyAuditDatabase(dirs.data);
    const hotSpots = profile ? await summariseCpuProfiles(dirs.profiles, window, readPositiveInt('BENCH_PROFILE_TOP', 15)) : null;

    const clean = [fixedRate, bursts, uncapped].every((f) => f.non2xx + f.errors + f.timeouts === 0);
    const auditOk = liveChain.ok && audit.chain.ok && audit.threeEntriesPerRequest && audit.budgetExceeded === 0;
    const reachedRate = fixedRate.requestsPerSecond >= rate * 0.98;
    const meetsTarget = clean && auditOk && reachedRate && rate >= TARGET.atRps && (fixedRate.latencyMs.p99 ?? Infinity) < TARGET.p99Ms;
    progress(`fixed rate: ${fixedRate.requestsPerSecond}/${rate} requests/s, p99 ${fixedRate.latencyMs.p99} ms → ${meetsTarget ? 'meets target' : 'MISSES TARGET'}; audit ${auditOk ? 'ok' : 'NOT OK'}`);

    return {
      bench: 'gateway-request',
      description: 'POST /request read_file docs/readme.md, Gatehouse in its own process, audit chain on a SQLite file (WAL), autocannon at a fixed rate then closed loop',
      timestamp: startedAt.toISOString(),
      machine: { ...machineFacts(), loadAverage1m: { start: loadAtStart, end: loadAverage1m() } },
      source: sourceState(),
      settings: {
        rate,
        durationSeconds,
        warmupSeconds,
        connections,
        agents,
        database: 'SQLite file in a temp data dir (WAL, synchronous=normal)',
        mode: 'production, enforce, log silent, shipped policy/ and rules/',
        pacing: {
          fixedRate: 'open loop (bench/lib/paced-load.ts): request i due at start + i/rate, latency from its due time (coordinated omission counted), keep-alive sockets up to `connections`',
          bursts: 'autocannon overallRate: per connection rate/connections requests each second, sent closed-loop from the start of the second',
          uncapped: 'autocannon closed loop, `connections` requests in flight',
        },
        agentsWhy: 'a fleet: requests cycle over this many agent tokens, so token verification and its cache are part of what is measured',
        maxRequestsPerMinutePerAgent: PER_AGENT_BUDGET,
      },
      fixedRate,
      bursts,
      uncapped,
      audit: { liveVerification: liveChain, ...audit },
      profile: hotSpots,
      target: TARGET,
      meetsTarget,
    };
  } finally {
    await server?.stop();
    await rm(base, { recursive: true, force: true });
  }
}

/** Sets the governance budget `maxRequestsPerMinute` (admin), so the runs measure decisions, not budget denials. */
async function raiseAgentBudget(origin: string, adminToken: string, perMinute: number): Promise<void> {
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: Record<string, unknown>; errors?: unknown };
    if (body.errors || !body.data) throw new Error(`governance update failed: ${JSON.stringify(body)}`);
    return body.data;
  };
  const { governance } = (await gql('{ governance { revision } }')) as { governance: { revision: number } };
  const input = { expectedRevision: governance.revision, budgets: { maxRequestsPerMinute: perMinute }, reason: 'gateway-request bench' };
  const { updateGovernance } = (await gql('mutation($input: UpdateGovernanceInput!) { updateGovernance(input: $input) { governance { budgets { maxRequestsPerMinute } } userErrors { code message } } }', { input })) as {
    updateGovernance: { governance: { budgets: { maxRequestsPerMinute: number } } | null; userErrors: unknown[] };
  };
  if (updateGovernance.userErrors.length > 0 || updateGovernance.governance?.budgets.maxRequestsPerMinute !== perMinute) {
    throw new Error(`governance update refused: ${JSON.stringify(updateGovernance)}`);
  }
}

/** The same figures as `phaseFigures`, for an open-loop run, plus its service times and sender lag. */
function pacedFigures(run: PacedResult, rate: number, connections: number, serverCpuMicros: number) {
  const twoHundreds = run.statusCodes['200'] ?? 0;
  const latency = latencySummary(run.latenciesMs, run.answered);
  const service = latencySummary(run.serviceMs, run.answered);
  return {
    offeredRate: rate,
    connections,
    seconds: Math.round(run.seconds * 100) / 100,
    responses: run.answered,
    requestsPerSecond: run.seconds === 0 ? 0 : Math.round((100 * run.answered) / run.seconds) / 100,
    latencyMs: { p50: round(latency.p50), p90: round(latency.p90), p99: round(latency.p99), max: round(latency.max), mean: latency.mean },
    serviceMs: { p50: round(service.p50), p99: round(service.p99), max: round(service.max) },
    maxSendLagMs: run.maxSendLagMs,
    statusCodes: run.statusCodes,
    non2xx: run.answered - twoHundreds,
    errors: run.errors,
    timeouts: run.timeouts,
    approved: twoHundreds,
    serverCpuMicrosPerRequest: run.answered === 0 ? null : Math.round(serverCpuMicros / run.answered),
  };
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100) / 100;
}

function progress(line: string): void {
  process.stderr.write(`[gateway-request] ${line}\n`);
}
