import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadAverage1m, machineFacts, readPositiveInt, readWords } from './lib/bench-env.ts';
import { startChildServer, type ChildServer } from './lib/child-server.ts';
import { commandNdjson, loadCommandCorpus, type CommandCorpus } from './lib/command-corpus.ts';
import { latencySummary } from './lib/latency-stats.ts';
import { round } from './lib/load.ts';
import { postNdjson } from './lib/post-ndjson.ts';
import { waitForSubscriptions, waitForTail } from './lib/server-metrics.ts';
import { corpusTagCounts, loadShippedPack } from './lib/shipped-engine.ts';
import { subscribeTtpTagged, type TtpSubscriber } from './lib/ttp-subscriber.ts';

/**
 * Fan-out (the bench issue: "500 graphql-ws subscribers on ttpTagged while ingesting: p50/p99
 * publish→deliver latency and dropped messages, target p99 < 100 ms and none dropped for healthy
 * consumers; RSS per idle subscriber"). Gatehouse runs in its own process (SQLite file database,
 * `--expose-gc` so memory is read after a full collection); this process holds every subscriber,
 * one graphql-ws client and one socket each, and paces a bounded stream of events that all tag
 * (corpus lines the shipped pack tags, new source ids) in small POST /ingest batches.
 *
 * Latency is the receive time here minus the message's `createdAt`, both on this machine's clock.
 * `createdAt` is read when the commit begins (tag-repository `commit`), so it spans
 * commit → publish → per-subscriber execution → WebSocket → client parse, at 1 ms resolution.
 *
 * The pacing is closed-loop by default: a POST that answers late delays the next one, so a saturated
 * server slows the stream instead of piling up requests (`ingest.offered…` vs `ingest.eventsPerSecond`
 * shows it), and posting stops after BENCH_FANOUT_MAX_SECONDS. BENCH_FANOUT_OPEN_LOOP=1 sends every
 * batch on schedule regardless, which is what exposes SLOW_CONSUMER closures when fan-out falls behind.
 *
 * Env: BENCH_FANOUT_SUBSCRIBERS (500), BENCH_FANOUT_EVENTS (2,000), BENCH_FANOUT_SECONDS (10),
 * BENCH_FANOUT_BATCH (20 events per POST), BENCH_FANOUT_MAX_SECONDS (60), BENCH_FANOUT_OPEN_LOOP (0),
 * BENCH_GATEHOUSE_NODE_ARGS.
 */
export const TARGET_P99_MS = 100;
const SUBSCRIPTION = 'subscription { ttpTagged { cursor sourceId createdAt tags { id } } }';
const CONNECT_WAVE = 50;

export default async function fanoutBench() {
  const subscriberCount = readPositiveInt('BENCH_FANOUT_SUBSCRIBERS', 500);
  const events = readPositiveInt('BENCH_FANOUT_EVENTS', 2_000);
  const seconds = readPositiveInt('BENCH_FANOUT_SECONDS', 10);
  const batch = readPositiveInt('BENCH_FANOUT_BATCH', 20);
  const maxSeconds = readPositiveInt('BENCH_FANOUT_MAX_SECONDS', 60);
  const openLoop = process.env.BENCH_FANOUT_OPEN_LOOP === '1';
  const startedAt = new Date();
  const loadAtStart = loadAverage1m();
  const corpus = await loadCommandCorpus();
  const counts = await corpusTagCounts(await loadShippedPack(), corpus);
  const tagging: CommandCorpus = { rows: corpus.rows.filter((_, i) => (counts[i] ?? 0) > 0), positiveRows: 0 };

  const server = await startChildServer({
    name: 'gatehouse-fanout',
    script: fileURLToPath(new URL('servers/gatehouse-server.ts', import.meta.url)),
    env: { BENCH_GATEHOUSE_DATABASE: 'file' },
    nodeArgs: ['--expose-gc', ...readWords('BENCH_GATEHOUSE_NODE_ARGS')],
  });
  const subscribers: TtpSubscriber[] = [];
  try {
    const token = server.adminToken;
    if (!token) throw new Error(`${server.name}: announced no admin token`);
    const latencies = new Float64Array(subscriberCount * events);
    let samples = 0;
    const onMessage = (data: Record<string, unknown>, receivedAt: number) => {
      const createdAt = Date.parse(String((data.ttpTagged as { createdAt?: unknown } | undefined)?.createdAt));
      if (Number.isFinite(createdAt) && samples < latencies.length) latencies[samples++] = receivedAt - createdAt;
    };

    await pause(1000);
    const idle = await server.usage({ settled: true });
    progress(`connecting ${subscriberCount} subscribers (server RSS ${mib(idle.rssBytes)} MiB)`);
    const wsUrl = `${server.origin.replace(/^http/, 'ws')}/graphql`;
    for (let first = 0; first < subscriberCount; first += CONNECT_WAVE) {
      const wave = Math.min(CONNECT_WAVE, subscriberCount - first);
      subscribers.push(...(await Promise.all(Array.from({ length: wave }, () => subscribeTtpTagged({ wsUrl, token, query: SUBSCRIPTION, onMessage })))));
    }
    await waitForSubscriptions(server.origin, subscriberCount);
    await pause(1000);
    const connected = await server.usage({ settled: true });
    const perSubscriberKiB = round((connected.rssBytes - idle.rssBytes) / subscriberCount / 1024, 1);
    progress(`server RSS ${mib(connected.rssBytes)} MiB with ${subscriberCount} idle subscribers: ${perSubscriberKiB} KiB each`);

    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const clientCpu = process.cpuUsage();
    const ingestStarted = performance.now();
    const ingest = await paceIngest(server, token, tagging, { events, seconds, batch, maxSeconds, openLoop });
    const ingestMs = performance.now() - ingestStarted;
    const after = await server.usage();
    const expectedEach = ingest.newEvents;
    const received = () => subscribers.reduce((sum, s) => sum + s.received, 0);
    const tailMs = await waitForTail(received, expectedEach * subscriberCount, 2000, 30_000);
    const drained = await server.usage();
    const used = process.cpuUsage(clientCpu);
    lag.disable();

    const perSubscriber = subscribers.map((s) => s.received);
    const dropped = perSubscriber.reduce((sum, got) => sum + Math.max(0, expectedEach - got), 0);
    const errors = subscribers.flatMap((s) => s.errors);
    const latency = latencySummary(latencies, samples);
    const meetsTarget = dropped === 0 && errors.length === 0 && latency.p99 !== null && latency.p99 < TARGET_P99_MS;
    progress(`latency p50 ${latency.p50} ms, p99 ${latency.p99} ms, max ${latency.max} ms; dropped ${dropped}; errors ${errors.length} → ${meetsTarget ? 'meets target' : 'BELOW TARGET'}`);
    return {
      bench: 'fanout',
      description: 'ttpTagged fan-out to graphql-ws subscribers (one socket each) while ingesting via POST /ingest; server in its own process, SQLite file database',
      timestamp: startedAt.toISOString(),
      machine: { ...machineFacts(), loadAverage1m: { start: loadAtStart, end: loadAverage1m() } },
      settings: { subscribers: subscriberCount, events, seconds, batchEvents: batch, pacing: openLoop ? 'open loop' : 'closed loop', maxSeconds, subscription: SUBSCRIPTION, serverQueueLimitPerSubscriber: 1000 },
      memory: {
        serverRssMiB: { beforeSubscribers: mib(idle.rssBytes), withIdleSubscribers: mib(connected.rssBytes), afterIngest: mib(after.rssBytes), peak: mib(after.maxRssBytes) },
        perIdleSubscriberKiB: perSubscriberKiB,
        perIdleSubscriberHeapAndExternalKiB: round((connected.heapAndExternalBytes - idle.heapAndExternalBytes) / subscriberCount / 1024, 1),
        note: 'after a full GC in the server; per subscriber = (with − before) ÷ subscribers (socket, graphql-ws and subscription state). RSS moves in pages the heap may already hold, so it is coarse; heap + external counts JS objects and Buffers only',
      },
      ingest: {
        ...ingest,
        offeredEventsPerSecond: round(events / seconds, 1),
        seconds: round(ingestMs / 1000, 2),
        eventsPerSecond: Math.round(ingest.newEvents / (ingestMs / 1000)),
        serverCpuUtilisation: round((after.cpuMicros - connected.cpuMicros) / 1000 / ingestMs, 2),
      },
      /** Server CPU from the first POST until the last message arrived, per message delivered: steadier than latency on a busy machine. */
      serverCpuMicrosPerDelivery: round((drained.cpuMicros - connected.cpuMicros) / Math.max(1, received()), 1),
      latencyMs: { ...latency, measures: 'receive time (this process) − message createdAt (read as the commit begins): commit → publish → execute → WebSocket → client parse; same machine clock, 1 ms resolution' },
      delivery: {
        expectedPerSubscriber: expectedEach,
        receivedPerSubscriber: { min: Math.min(...perSubscriber), max: Math.max(...perSubscriber) },
        subscribersWithEveryMessage: perSubscriber.filter((got) => got >= expectedEach).length,
        everySubscriberGotEveryMessage: perSubscriber.every((got) => got >= expectedEach),
        dropped,
        subscriberErrors: errors.length,
        errorExamples: [...new Set(errors)].slice(0, 3),
        waitedForTailMs: tailMs,
      },
      clientProcess: {
        cpuUtilisation: round((used.user + used.system) / 1000 / (ingestMs + tailMs), 2),
        eventLoopDelayMs: { p50: round(lag.percentile(50) / 1e6, 1), p99: round(lag.percentile(99) / 1e6, 1), max: round(lag.max / 1e6, 1) },
        note: 'all subscribers share this process; a busy loop here adds to measured latency. Event-loop delay includes the 10 ms sampling interval',
      },
      target: { p99Ms: TARGET_P99_MS, dropped: 0 },
      meetsTarget,
    };
  } finally {
    await Promise.allSettled(subscribers.map((s) => s.close()));
    await server.stop();
  }
}

/**
 * POSTs `events` events in batches on a fixed schedule over `seconds`. Closed loop (default): a slow
 * POST delays the next one, and posting stops early, saying so, once `maxSeconds` have passed. Open
 * loop: every batch goes out on schedule whatever the answers, as an independent producer would send.
 */
export async function paceIngest(server: ChildServer, token: string, corpus: CommandCorpus, shape: { events: number; seconds: number; batch: number; maxSeconds: number; openLoop: boolean }) {
  const batches = Math.ceil(shape.events / shape.batch);
  const intervalMs = (shape.seconds * 1000) / batches;
  const started = performance.now();
  const totals = { batches: 0, newEvents: 0, newTags: 0, slowestPostMs: 0, stoppedEarly: false };
  const post = async (b: number, size: number) => {
    const answer = await postNdjson(server.origin, token, [Buffer.from(commandNdjson(corpus, b * shape.batch, size, 'fanout'))]);
    const summary = answer.body as { newEvents?: number; newTags?: number };
    if (answer.status !== 200 || summary.newEvents !== size) throw new Error(`batch ${b}: POST /ingest answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    totals.batches += 1;
    totals.newEvents += size;
    totals.newTags += summary.newTags ?? 0;
    totals.slowestPostMs = Math.max(totals.slowestPostMs, Math.round(answer.elapsedMs));
  };
  const inFlight: Promise<void>[] = [];
  for (let b = 0; b < batches; b++) {
    if (!shape.openLoop && performance.now() - started > shape.maxSeconds * 1000) {
      totals.stoppedEarly = true;
      break;
    }
    const wait = started + b * intervalMs - performance.now();
    if (wait > 0) await pause(wait);
    const sent = post(b, Math.min(shape.batch, shape.events - b * shape.batch));
    if (shape.openLoop) inFlight.push(sent);
    else await sent;
  }
  await Promise.all(inFlight);
  return totals;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function mib(bytes: number): number {
  return round(bytes / 2 ** 20, 1);
}

function progress(line: string): void {
  process.stderr.write(`[fanout] ${line}\n`);
}
