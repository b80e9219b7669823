import { loadAverage1m, machineFacts, readPositiveInt } from './lib/bench-env.ts';
import { loadCommandCorpus } from './lib/command-corpus.ts';
import { round } from './lib/load.ts';
import { createBenchDatabase } from './lib/postgres-database.ts';
import { buildBody, expectedTags, measureRun } from './ingest.bench.ts';

/**
 * Ingest on PostgreSQL vs SQLite in the same run (issue #6, benchmarks): the ingest bench's stream
 * (POST /ingest NDJSON, tags committed and published to one subscriber, server in its own process)
 * against a SQLite file database and then a fresh PostgreSQL database at 127.0.0.1:5432; the figure
 * is the ratio of events/s. Env: BENCH_SCALE_INGEST_EVENTS (100,000).
 */
export default async function scaleIngestBench() {
  const events = readPositiveInt('BENCH_SCALE_INGEST_EVENTS', 100_000);
  const startedAt = new Date();
  const loadAtStart = loadAverage1m();
  const corpus = await loadCommandCorpus();
  const expected = await expectedTags(corpus, events);
  const body = buildBody(corpus, events);
  const sqlite = await measureRun(1, 2, body, expected, 'file');
  const pgDatabase = await createBenchDatabase();
  let postgres;
  try {
    postgres = await measureRun(2, 2, body, expected, pgDatabase.url);
  } finally {
    await pgDatabase.drop();
  }
  return {
    bench: 'scale-ingest',
    description: 'POST /ingest NDJSON, same stream, SQLite file vs PostgreSQL (127.0.0.1:5432), one ttpTagged subscriber; server in its own process',
    timestamp: startedAt.toISOString(),
    machine: { ...machineFacts(), loadAverage1m: { start: loadAtStart, end: loadAverage1m() } },
    events,
    sqlite: { eventsPerSecond: sqlite.eventsPerSecond, seconds: sqlite.seconds, correct: sqlite.correct, serverCpuMicrosPerEvent: sqlite.serverCpuMicrosPerEvent },
    postgres: { eventsPerSecond: postgres.eventsPerSecond, seconds: postgres.seconds, correct: postgres.correct, serverCpuMicrosPerEvent: postgres.serverCpuMicrosPerEvent },
    ratioPostgresToSqlite: round(postgres.eventsPerSecond / sqlite.eventsPerSecond, 2),
  };
}
