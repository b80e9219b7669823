import { fileURLToPath } from 'node:url';
import { loadAverage1m, machineFacts, readPositiveInt, readWords } from './lib/bench-env.ts';
import { startChildServer, type ChildServer } from './lib/child-server.ts';
import { commandNdjson, loadCommandCorpus, type CommandCorpus } from './lib/command-corpus.ts';
import { round } from './lib/load.ts';
import { postNdjson } from './lib/post-ndjson.ts';
import { readMetric, waitForSubscriptions, waitForTail } from './lib/server-metrics.ts';
import { corpusTagCounts, loadShippedPack } from './lib/shipped-engine.ts';
import { subscribeTtpTagged } from './lib/ttp-subscriber.ts';

/**
 * End to end ingest (the bench issue: "POST /ingest NDJSON into SQLite with tags committed and
 * published: events/s, target ≥ 20,000"). Gatehouse runs in its own process with a SQLite file
 * database (WAL) in a fresh data dir, production mode, silent logs; one graphql-ws client holds a
 * `ttpTagged` subscription, so every commit really publishes. One POST carries the whole stream:
 * the command corpus cycled, every event a new source id. The clock runs from the first body byte
 * to the last byte of the summary, which the server sends after its last commit.
 *
 * `expected` comes from the shipped pattern rules evaluated in this process on the same corpus
 * (the server's lifters key on attacker or session, which these events lack), so tags and
 * messages are checked, not just counted. Each run starts a new server, hence a new database.
 *
 * Env: BENCH_INGEST_EVENTS (200,000) per run, BENCH_INGEST_RUNS (2), BENCH_GATEHOUSE_NODE_ARGS (e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof") for the server process.
 */
export const TARGET_EVENTS_PER_SECOND = 20_000;
const LINES_PER_CHUNK = 500;
const SUBSCRIPTION = 'subscription { ttpTagged { cursor } }';

export default async function ingestBench() {
  const events = readPositiveInt('BENCH_INGEST_EVENTS', 200_000);
  const runCount = readPositiveInt('BENCH_INGEST_RUNS', 2);
  const startedAt = new Date();
  const loadAtStart = loadAverage1m();
  const corpus = await loadCommandCorpus();
  const expected = await expectedTags(corpus, events);
  const body = buildBody(corpus, events);
  const bodyBytes = body.reduce((sum, chunk) => sum + chunk.length, 0);
  progress(`${events} events, ${(bodyBytes / 2 ** 20).toFixed(1)} MiB NDJSON; expecting ${expected.messages} tagged events, ${expected.tags} tags`);

  const runs = [];
  for (let run = 1; run <= runCount; run++) runs.push(await measureRun(run, runCount, body, expected));
  const rates = runs.map((r) => r.eventsPerSecond);
  const correct = runs.every((r) => r.correct);
  const meetsTarget = correct && Math.min(...rates) >= TARGET_EVENTS_PER_SECOND;
  progress(`events/s ${rates.join(', ')} (target ≥ ${TARGET_EVENTS_PER_SECOND}) → ${meetsTarget ? 'meets target' : 'BELOW TARGET'}`);
  return {
    bench: 'ingest',
    description: 'POST /ingest NDJSON into a SQLite file database, tags committed and published to one ttpTagged subscriber; server in its own process',
    timestamp: startedAt.toISOString(),
    machine: { ...machineFacts(), loadAverage1m: { start: loadAtStart, end: loadAverage1m() } },
    settings: { events, runs: runCount, bodyBytes, bodyChunkLines: LINES_PER_CHUNK, serverBatch: 500, database: 'sqlite file (WAL, synchronous=normal), fresh per run', subscribers: 1, subscription: SUBSCRIPTION },
    stream: { corpus: 'test/corpus/command.jsonl cycled, unique sourceIds', corpusLines: corpus.rows.length, taggedFraction: round(expected.messages / events, 3), expected },
    runs,
    target: TARGET_EVENTS_PER_SECOND,
    meetsTarget,
    meetsTargetRule: 'every run at or above target, and every run committed and delivered exactly what was expected',
  };
}

/** Tagged messages and tags the shipped pattern rules give `events` events of the cycled corpus. */
export async function expectedTags(corpus: CommandCorpus, events: number): Promise<{ messages: number; tags: number }> {
  const counts = await corpusTagCounts(await loadShippedPack(), corpus);
  const expected = { messages: 0, tags: 0 };
  for (let n = 0; n < events; n++) {
    const tags = counts[n % counts.length] as number;
    expected.tags += tags;
    if (tags > 0) expected.messages += 1;
  }
  return expected;
}

export function buildBody(corpus: CommandCorpus, events: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let first = 0; first < events; first += LINES_PER_CHUNK) {
    chunks.push(Buffer.from(commandNdjson(corpus, first, Math.min(LINES_PER_CHUNK, events - first), 'ingest-bench'), 'utf8'));
  }
  return chunks;
}

/** One POST of the whole stream to a fresh server; `database` is `file` (SQLite, the default) or a postgres:// URL. */
export async function measureRun(run: number, of: number, body: Buffer[], expected: { messages: number; tags: number }, database = 'file') {
  const server = await startChildServer({
    name: `gatehouse-ingest-${run}`,
    script: fileURLToPath(new URL('servers/gatehouse-server.ts', import.meta.url)),
    env: { BENCH_GATEHOUSE_DATABASE: database },
    nodeArgs: readWords('BENCH_GATEHOUSE_NODE_ARGS'),
  });
  try {
    const token = requireToken(server);
    const subscriber = await subscribeTtpTagged({ wsUrl: `${server.origin.replace(/^http/, 'ws')}/graphql`, token, query: SUBSCRIPTION });
    try {
      await waitForSubscriptions(server.origin, 1);
      const before = await server.usage();
      progress(`run ${run}/${of}: posting (server RSS ${mib(before.rssBytes)} MiB)`);
      const answer = await postNdjson(server.origin, token, body);
      const after = await server.usage();
      const tailMs = await waitForTail(() => subscriber.received, expected.messages);
      const summary = answer.body as { lines?: number; accepted?: number; rejected?: number; newEvents?: number; newTags?: number };
      if (answer.status !== 200) throw new Error(`POST /ingest answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
      const lines = summary.lines ?? 0;
      const eventsPerSecond = Math.round(lines / (answer.elapsedMs / 1000));
      const correct =
        summary.accepted === lines && summary.newEvents === lines && summary.newTags === expected.tags && subscriber.received === expected.messages && subscriber.errors.length === 0;
      const metricRss = await readMetric(server.origin, 'gatehouse_process_resident_memory_bytes');
      progress(`run ${run}/${of}: ${eventsPerSecond} events/s, ${summary.newTags} tags, ${subscriber.received} messages${correct ? '' : ' (MISMATCH)'}`);
      return {
        run,
        eventsPerSecond,
        seconds: round(answer.elapsedMs / 1000, 3),
        summary: { lines, accepted: summary.accepted, rejected: summary.rejected, newEvents: summary.newEvents, newTags: summary.newTags },
        tagsPerSecond: Math.round((summary.newTags ?? 0) / (answer.elapsedMs / 1000)),
        subscriber: { received: subscriber.received, expected: expected.messages, errors: subscriber.errors.slice(0, 5), waitedForTailMs: tailMs },
        serverCpuMicrosPerEvent: round((after.cpuMicros - before.cpuMicros) / lines, 1),
        serverCpuUtilisation: round((after.cpuMicros - before.cpuMicros) / 1000 / answer.elapsedMs, 2),
        serverRssMiB: { beforePost: mib(before.rssBytes), afterPost: mib(after.rssBytes), peak: mib(after.maxRssBytes), fromMetrics: metricRss === null ? null : mib(metricRss) },
        correct,
      };
    } finally {
      await subscriber.close();
    }
  } finally {
    await server.stop();
  }
}

function requireToken(server: ChildServer): string {
  if (!server.adminToken) throw new Error(`${server.name}: announced no admin token (not a fresh database?)`);
  return server.adminToken;
}

function mib(bytes: number): number {
  return round(bytes / 2 ** 20, 1);
}

function progress(line: string): void {
  process.stderr.write(`[ingest] ${line}\n`);
}
