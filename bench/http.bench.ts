import { fileURLToPath } from 'node:url';
import { machineFacts, readPositiveInt } from './lib/bench-env.ts';
import { startChildServer, type ChildServer } from './lib/child-server.ts';
import { probe, round, runLoad, summarise, type LoadShape, type LoadTarget } from './lib/load.ts';
import type autocannon from 'autocannon';

/**
 * HTTP throughput of the cheapest public query, `{ serverInfo { version } }`, against a bare
 * graphql-yoga answering `{ hello }`, measured side by side in one run (the project's bench issue:
 * Gatehouse must reach at least 0.8× the bare server's requests/s). Each server runs in its own
 * process; the targets are measured alternately so drift on the machine hits both alike.
 *
 * Env: BENCH_DURATION_SECONDS (10) per measured run, BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (32),
 * BENCH_ROUNDS (2), BENCH_GATEHOUSE_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
export const TARGET_RATIO = 0.8;

const TARGETS = [
  { key: 'bare', script: 'servers/bare-yoga-server.ts', query: '{ hello }' },
  { key: 'gatehouse', script: 'servers/gatehouse-server.ts', query: '{ serverInfo { version } }' },
] as const;
type TargetKey = (typeof TARGETS)[number]['key'];

export default async function httpBench() {
  const shape: LoadShape = {
    durationSeconds: readPositiveInt('BENCH_DURATION_SECONDS', 10),
    connections: readPositiveInt('BENCH_CONNECTIONS', 32),
  };
  const warmupSeconds = readPositiveInt('BENCH_WARMUP_SECONDS', 2);
  const rounds = readPositiveInt('BENCH_ROUNDS', 2);
  const gatehouseNodeArgs = (process.env.BENCH_GATEHOUSE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const startedAt = new Date();
  const children: ChildServer[] = [];
  try {
    const targets = {} as Record<TargetKey, LoadTarget>;
    for (const { key, script, query } of TARGETS) {
      const child = await startChildServer({
        name: key,
        script: fileURLToPath(new URL(script, import.meta.url)),
        nodeArgs: key === 'gatehouse' ? gatehouseNodeArgs : [],
      });
      children.push(child);
      const request = { name: key, url: `${child.origin}/graphql`, body: JSON.stringify({ query }) };
      targets[key] = { ...request, expectBody: await probe(request) };
    }

    for (const { key } of TARGETS) {
      progress(`warm-up ${key} (${warmupSeconds} s)`);
      await runLoad(targets[key], { ...shape, durationSeconds: warmupSeconds });
    }
    const runs: Record<TargetKey, autocannon.RawResult[]> = { bare: [], gatehouse: [] };
    for (let round = 1; round <= rounds; round++) {
      for (const { key } of TARGETS) {
        progress(`round ${round}/${rounds}: ${key} (${shape.durationSeconds} s, ${shape.connections} connections)`);
        const run = await runLoad(targets[key], shape);
        runs[key].push(run);
        progress(`  ${(run.totalCompletedRequests / run.duration).toFixed(0)} req/s`);
      }
    }

    const bare = summarise(targets.bare, runs.bare, shape.connections);
    const gatehouse = summarise(targets.gatehouse, runs.gatehouse, shape.connections);
    const ratio = round(gatehouse.requestsPerSecond / bare.requestsPerSecond, 3);
    const clean = [bare, gatehouse].every((f) => f.errors + f.timeouts + f.non2xx + f.mismatches === 0);
    const meetsTarget = clean && ratio >= TARGET_RATIO;
    progress(`gatehouse/bare throughput ratio: ${ratio} (target ≥ ${TARGET_RATIO}) → ${meetsTarget ? 'meets target' : 'BELOW TARGET'}`);

    return {
      bench: 'http',
      description: 'POST /graphql, Gatehouse { serverInfo { version } } vs bare graphql-yoga { hello }',
      timestamp: startedAt.toISOString(),
      machine: machineFacts(),
      settings: { ...shape, warmupSeconds, rounds, order: 'alternating, bare first', pipelining: 1, host: '127.0.0.1' },
      targets: {
        bare: { query: TARGETS[0].query, ...bare, perRound: runs.bare.map((r) => summarise(targets.bare, [r], shape.connections)) },
        gatehouse: {
          query: TARGETS[1].query,
          ...gatehouse,
          perRound: runs.gatehouse.map((r) => summarise(targets.gatehouse, [r], shape.connections)),
        },
      },
      ratio: { throughput: ratio, p99Latency: round(gatehouse.latencyMs.p99 / bare.latencyMs.p99, 3) },
      target: TARGET_RATIO,
      meetsTarget,
    };
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}

function progress(line: string): void {
  process.stderr.write(`[http] ${line}\n`);
}
