import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { isTerminal, type RunRecord } from '../src/engine/runs/run.ts';
import { loadAverage1m, machineFacts, readPositiveInt } from './lib/bench-env.ts';
import { loadCommandCorpus } from './lib/command-corpus.ts';
import { latencySummary } from './lib/latency-stats.ts';
import { round } from './lib/load.ts';

/**
 * Replay throughput (issue #5, benchmarks): a generated scenario of BENCH_REPLAY_STEPS (100,000) steps
 * — the labelled command corpus cycled with unique source ids, plus one dry-run gateway request every
 * BENCH_REPLAY_REQUEST_EVERY (200) steps (half allowed, half outside the root) — replayed at `max`
 * speed with metrics and logging on, through the whole server in this process on a SQLite file
 * database. Target: ≥ 20,000 steps/s. Peak RSS is sampled every 100 ms; the CPU time of the process
 * during the run is reported too.
 *
 * While it runs, one graphql-ws client follows `runProgress` and another `runLogs(minLevel: INFO)`;
 * latency is receive time minus the message's own time (`at` for progress — taken before coalescing,
 * so it includes up to 250 ms of deliberate coalescing — and `timestamp` for log entries, taken when
 * the entry is logged, before it is stored and published).
 *
 * Env: BENCH_REPLAY_STEPS (100,000), BENCH_REPLAY_REQUEST_EVERY (200), BENCH_REPLAY_LOGGING (1; 0 keeps only
 * lifecycle entries, to see what per-tag and per-decision logging costs).
 */
export const TARGET_STEPS_PER_SECOND = 20_000;

export default async function replayBench() {
  const steps = readPositiveInt('BENCH_REPLAY_STEPS', 100_000);
  const requestEvery = readPositiveInt('BENCH_REPLAY_REQUEST_EVERY', 200);
  const logging = process.env.BENCH_REPLAY_LOGGING !== '0';
  const startedAt = new Date();
  const loadAtStart = loadAverage1m();
  const corpus = await loadCommandCorpus();
  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-bench-replay-'));
  const scenarios = path.join(dir, 'scenarios');
  const lines: string[] = [];
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  let requests = 0;
  for (let n = 0; n < steps; n += 1) {
    const at = new Date(t0 + n * 10).toISOString();
    if (n % requestEvery === requestEvery - 1) {
      requests += 1;
      const inside = requests % 2 === 0;
      lines.push(JSON.stringify({ occurred_at: at, request: { agent: 'bench-agent', role: 'developer', spec_id: 'SPEC-DOCS', action: 'write_file', params: inside ? { path: 'docs/bench.md', content: 'bench', create_dirs: true } : { path: '/etc/passwd', content: 'x' } }, expect: { decision: inside ? 'APPROVED' : 'DENIED' } }));
      continue;
    }
    const row = corpus.rows[n % corpus.rows.length];
    if (!row) throw new Error('empty corpus');
    lines.push(JSON.stringify({ occurred_at: at, event: { source_kind: 'command', source_id: `bench-${n}`, payload: row.payload }, expect: { techniques: row.expected_techniques } }));
  }
  await mkdir(scenarios, { recursive: true });
  await writeFile(path.join(scenarios, 'bench-replay.jsonl'), `${lines.join('\n')}\n`);
  await writeFile(path.join(scenarios, 'bench-replay.yaml'), ['id: bench-replay', 'name: Generated replay benchmark', 'description: The command corpus cycled, with dry-run gateway requests.', 'runtime_hint: full', 'params:', '  events_per_tick: 1000', '  speed: max', 'events_file: bench-replay.jsonl', ''].join('\n'));

  const config = parseConfig({ port: 0, dataDir: path.join(dir, 'data'), logLevel: 'silent', scenariosDir: scenarios, watchRules: false, maxEventsPerRun: Math.max(1_000_000, steps) });
  const app = createApp(config);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  try {
    const started = await app.start();
    const token = started.adminToken?.secret as string;
    const rssBefore = process.memoryUsage().rss;
    const { runs } = app.operator();
    const wsUrl = started.url.replace(/^http/, 'ws');
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, lazy: false, retryAttempts: 0 });
    let run: RunRecord = (await runs.start({ scenarioId: 'bench-replay', overrides: logging ? {} : { loggingEnabled: false }, idempotencyKey: null }, 'bench')).run;
    const progressLatency = new Float64Array(10_000);
    const logLatency = new Float64Array(200_000);
    let progressSamples = 0;
    let logSamples = 0;
    const follow = (query: string, onData: (data: Record<string, unknown>, at: number) => void) =>
      new Promise<void>((resolve, reject) => client.subscribe({ query, variables: { id: run.runId } }, { next: (m) => onData(m.data as Record<string, unknown>, Date.now()), error: reject, complete: resolve }));
    const progressDone = follow('subscription($id: String!) { runProgress(runId: $id) { state at } }', (d, at) => {
      const sent = Date.parse(String((d.runProgress as { at: string }).at));
      if (progressSamples < progressLatency.length) progressLatency[progressSamples++] = at - sent;
    });
    const logsDone = follow('subscription($id: String!) { runLogs(runId: $id, minLevel: INFO) { seq timestamp } }', (d, at) => {
      const sent = Date.parse(String((d.runLogs as { timestamp: string }).timestamp));
      if (logSamples < logLatency.length) logLatency[logSamples++] = at - sent;
    });
    const wall = Date.now();
    const cpuAtStart = process.cpuUsage();
    while (!isTerminal(run.state)) {
      await new Promise((r) => setTimeout(r, 100));
      run = (await runs.get(run.runId)) ?? run;
    }
    const seconds = (Date.now() - wall) / 1000;
    const cpu = process.cpuUsage(cpuAtStart);
    await Promise.race([Promise.all([progressDone, logsDone]), new Promise((r) => setTimeout(r, 5000))]);
    await client.dispose();
    const stepsPerSecond = Math.round(run.progress.eventsCompleted / seconds);
    return {
      bench: 'replay',
      startedAt: startedAt.toISOString(),
      machine: machineFacts(),
      loadAverage1m: { atStart: loadAtStart, atEnd: loadAverage1m() },
      scenario: { steps, events: steps - requests, requests, requestEvery, logging },
      run: { state: run.state, endReason: run.endReason, message: run.message, stepsCompleted: run.progress.eventsCompleted, seconds: round(seconds, 2), components: run.components.map((c) => ({ name: c.name, status: c.status, load: c.load, headline: c.headline })) },
      throughput: { stepsPerSecond, target: TARGET_STEPS_PER_SECOND, met: stepsPerSecond >= TARGET_STEPS_PER_SECOND },
      // All threads of this process (main, SQLite's, GC) while the run ran: steadier than wall time
      // on a shared machine, where the load average says how much the figures above can be trusted.
      cpu: { seconds: round((cpu.user + cpu.system) / 1e6, 2), stepsPerCpuSecond: Math.round((run.progress.eventsCompleted * 1e6) / (cpu.user + cpu.system)) },
      memory: { rssBeforeRunMiB: round(rssBefore / 1048576, 1), peakRssMiB: round(peakRss / 1048576, 1) },
      metrics: run.metrics ? { overall: run.metrics.overall, gateway: { requests: run.metrics.gateway.requests, correct: run.metrics.gateway.correct, falseAllows: run.metrics.gateway.falseAllows, falseDenies: run.metrics.gateway.falseDenies } } : null,
      subscriptions: { runProgressMs: latencySummary(progressLatency, progressSamples), runLogsMs: latencySummary(logLatency, logSamples) },
    };
  } finally {
    clearInterval(sampler);
    await app.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
