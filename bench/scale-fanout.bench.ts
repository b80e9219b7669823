import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadAverage1m, machineFacts, readPositiveInt } from './lib/bench-env.ts';
import { startChildServer, type ChildServer } from './lib/child-server.ts';
import { loadCommandCorpus, type CommandCorpus } from './lib/command-corpus.ts';
import { latencySummary } from './lib/latency-stats.ts';
import { createBenchDatabase } from './lib/postgres-database.ts';
import { waitForSubscriptions, waitForTail } from './lib/server-metrics.ts';
import { corpusTagCounts, loadShippedPack } from './lib/shipped-engine.ts';
import { subscribeTtpTagged, type TtpSubscriber } from './lib/ttp-subscriber.ts';
import { paceIngest } from './fanout.bench.ts';

/**
 * Fan-out across instances (issue #6, benchmarks): `ttpTagged` to BENCH_SCALE_SUBSCRIBERS (500)
 * graphql-ws subscribers spread evenly over the instances while events are ingested on the first,
 * on one fresh PostgreSQL database and one Redis key prefix, with one instance and then with two. Every
 * message reaches the second instance's subscribers through Redis. Latency is receive time minus the
 * message's createdAt (commit start), p50/p99 and drops, as in the fan-out bench.
 * Env: BENCH_SCALE_SUBSCRIBERS (500), BENCH_SCALE_EVENTS (2,000), BENCH_SCALE_SECONDS (10), batch 20.
 */
const SUBSCRIPTION = 'subscription { ttpTagged { cursor sourceId createdAt tags { id } } }';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export default async function scaleFanoutBench() {
  const subscriberCount = readPositiveInt('BENCH_SCALE_SUBSCRIBERS', 500);
  const events = readPositiveInt('BENCH_SCALE_EVENTS', 2_000);
  const seconds = readPositiveInt('BENCH_SCALE_SECONDS', 10);
  const startedAt = new Date();
  const loadAtStart = loadAverage1m();
  const corpus = await loadCommandCorpus();
  const counts = await corpusTagCounts(await loadShippedPack(), corpus);
  const tagging: CommandCorpus = { rows: corpus.rows.filter((_, i) => (counts[i] ?? 0) > 0), positiveRows: 0 };
  const one = await measure(1, subscriberCount, events, seconds, tagging);
  const two = await measure(2, subscriberCount, events, seconds, tagging);
  return {
    bench: 'scale-fanout',
    description: 'ttpTagged fan-out over graphql-ws to subscribers spread over N instances (PostgreSQL + Redis), ingest via POST /ingest on the first',
    timestamp: startedAt.toISOString(),
    machine: { ...machineFacts(), loadAverage1m: { start: loadAtStart, end: loadAverage1m() } },
    settings: { subscribers: subscriberCount, events, seconds, batchEvents: 20 },
    oneInstance: one,
    twoInstances: two,
  };
}

async function measure(instanceCount: number, subscriberCount: number, events: number, seconds: number, tagging: CommandCorpus) {
  const database = await createBenchDatabase();
  const prefix = `gh-bench-${randomBytes(4).toString('hex')}:`;
  const servers: ChildServer[] = [];
  const subscribers: TtpSubscriber[] = [];
  try {
    for (let i = 0; i < instanceCount; i += 1) {
      servers.push(
        await startChildServer({
          name: `gatehouse-scale-${instanceCount}-${i + 1}`,
          script: fileURLToPath(new URL('servers/gatehouse-server.ts', import.meta.url)),
          env: { BENCH_GATEHOUSE_DATABASE: database.url, BENCH_GATEHOUSE_REDIS_URL: REDIS_URL, BENCH_GATEHOUSE_REDIS_PREFIX: prefix, BENCH_GATEHOUSE_INSTANCE: `bench-${i + 1}` },
        }),
      );
    }
    const token = servers[0]?.adminToken;
    if (!token) throw new Error('the first instance announced no admin token');
    const latencies = new Float64Array(subscriberCount * events);
    let samples = 0;
    const onMessage = (data: Record<string, unknown>, receivedAt: number) => {
      const createdAt = Date.parse(String((data.ttpTagged as { createdAt?: unknown } | undefined)?.createdAt));
      if (Number.isFinite(createdAt) && samples < latencies.length) latencies[samples++] = receivedAt - createdAt;
    };
    for (let i = 0; i < subscriberCount; i += 50) {
      const wave = Math.min(50, subscriberCount - i);
      subscribers.push(...(await Promise.all(Array.from({ length: wave }, (_v, k) => subscribeTtpTagged({ wsUrl: `${(servers[(i + k) % instanceCount] as ChildServer).origin.replace(/^http/, 'ws')}/graphql`, token, query: SUBSCRIPTION, onMessage })))));
    }
    for (let i = 0; i < instanceCount; i += 1) await waitForSubscriptions((servers[i] as ChildServer).origin, Math.ceil((subscriberCount - i) / instanceCount));
    await new Promise((r) => setTimeout(r, 1000)); // Redis registers the channel a round trip later
    const ingest = await paceIngest(servers[0] as ChildServer, token, tagging, { events, seconds, batch: 20, maxSeconds: seconds * 6, openLoop: false });
    const received = () => subscribers.reduce((sum, s) => sum + s.received, 0);
    await waitForTail(received, ingest.newEvents * subscriberCount, 2000, 30_000);
    const perSubscriber = subscribers.map((s) => s.received);
    const dropped = perSubscriber.reduce((sum, got) => sum + Math.max(0, ingest.newEvents - got), 0);
    const perInstance = servers.map((_s, i) => subscribers.filter((_x, k) => k % instanceCount === i).reduce((sum, s) => sum + Math.max(0, ingest.newEvents - s.received), 0));
    const latency = latencySummary(latencies, samples);
    process.stderr.write(`[scale-fanout] ${instanceCount} instance(s): p50 ${latency.p50} ms, p99 ${latency.p99} ms, dropped ${dropped}\n`);
    return { instances: instanceCount, ingest, latencyMs: latency, dropped, droppedPerInstance: perInstance, subscriberErrors: subscribers.flatMap((s) => s.errors).length };
  } finally {
    await Promise.allSettled(subscribers.map((s) => s.close()));
    for (const s of servers) await s.stop();
    await database.drop();
  }
}
