import { writeFile } from 'node:fs/promises';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { announceAndServeUntilTerminated } from './child-protocol.ts';

/**
 * Gatehouse with the policy gateway as a deployment runs it, for `bench/gateway-request.bench.ts`:
 * production mode, silent logging, the SQLite FILE database in `BENCH_GATEWAY_DATA_DIR` (WAL, the
 * deployment default, so every audit append commits to a real file), the shipped `policy/` and the
 * project root `BENCH_GATEWAY_PROJECT_ROOT`. Both folders belong to the parent, which reads the
 * database after this process has stopped and then deletes them; this process deletes nothing.
 *
 * Before announcing its port it creates `BENCH_GATEWAY_AGENTS` agent tokens through the app's own
 * token service (agents `bench-agent-<n>`, role `developer`) and writes `[{ agent, secret }]` to
 * `BENCH_GATEWAY_TOKENS_FILE` (mode 0600). Several agents, because the per-agent budget
 * (`maxRequestsPerMinute`, 120) has no configuration knob yet and would otherwise deny most of a
 * bench's requests as `budget_exceeded` instead of deciding them on their merits.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (bench/gateway-request.bench.ts sets it)`);
  return value;
}

const dataDir = required('BENCH_GATEWAY_DATA_DIR');
const projectRoot = required('BENCH_GATEWAY_PROJECT_ROOT');
const tokensFile = required('BENCH_GATEWAY_TOKENS_FILE');
const agents = Number(required('BENCH_GATEWAY_AGENTS'));
if (!Number.isInteger(agents) || agents <= 0) throw new Error(`BENCH_GATEWAY_AGENTS: expected a positive integer, got ${process.env.BENCH_GATEWAY_AGENTS}`);

const app = createApp(
  parseConfig({ host: '127.0.0.1', port: 0, dataDir, projectRoot, mode: 'production', logLevel: 'silent', shutdownTimeoutSeconds: 2 }),
);
const { port, adminToken } = await app.start();
const tokens: { agent: string; secret: string }[] = [];
for (let n = 0; n < agents; n++) {
  const agent = `bench-agent-${String(n).padStart(3, '0')}`;
  const { secret } = await app.tokens().create({ name: `bench ${agent}`, role: 'agent', agent, agentRoles: ['developer'] }, null);
  tokens.push({ agent, secret });
}
await writeFile(tokensFile, JSON.stringify(tokens), { mode: 0o600 });
announceAndServeUntilTerminated(port, () => app.stop(), adminToken ? { adminToken: adminToken.secret } : {});
