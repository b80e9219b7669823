import { fileURLToPath } from 'node:url';
import { getCedarVersion, isAuthorized, preparsePolicySet, statefulIsAuthorized, type AuthorizationCall } from '@cedar-policy/cedar-wasm/nodejs';
import { createCoreActionHandlers } from '../plugins/core-actions/core-action-handlers.ts';
import { canonicalizeTarget } from '../src/engine/gateway/canonical-path.ts';
import { checkRequest, type CheckOutcome, type DecisionContext } from '../src/engine/gateway/decide-request.ts';
import { DEFAULT_GATEWAY_KNOBS } from '../src/engine/gateway/governance-knobs.ts';
import { loadPolicy } from '../src/engine/gateway/load-policy.ts';
import type { ActionHandlerDefinition } from '../src/plugins/api.ts';
import { loadAverage1m, machineFacts, readPositiveInt } from './lib/bench-env.ts';
import { sourceState } from './lib/source-state.ts';
import { cedarVerdict, toCedarEquivalent } from './lib/cedar-equivalent.ts';
import { createProjectTree, DECISION_MIX, weightedSequence } from './lib/decision-mix.ts';
import { createFsLookups, type LookupMode } from './lib/fs-lookups.ts';
import { microSummary, timeAsync, timeSync, type Timed } from './lib/micro-timing.ts';

/**
 * Decision latency without I/O (the bench issue: "no slower than Cedar"): Gatehouse's `checkRequest`
 * over a mix of allowed and denied requests against the shipped `policy/`, side by side in this
 * process with Cedar (`@cedar-policy/cedar-wasm`) deciding the same requests under an equivalent
 * policy set (bench/lib/cedar-equivalent.ts). Both must agree on every request before a figure counts.
 *
 * Timed, in alternating blocks so drift hits all alike, each after its own warm-up:
 * - `gatehouse`: the shipped `checkRequest` with its filesystem lookups answered from memory
 *   (bench/lib/fs-lookups.ts): every check runs as shipped, path canonicalisation included, minus
 *   the system calls. Not a copy of the pipeline, so it cannot drift from src. Compared with `cedar`.
 * - `gatehouseWithFs`: the same WITH path canonicalisation (fs): realpath/lstat on a tmpfs root.
 * - `cedar`: `statefulIsAuthorized`, the policy set parsed once (`preparsePolicySet`); the per-call
 *   work Cedar cannot skip is converting the request and its entity slice (principal, the target's
 *   folders, protected paths for deletes), built before timing.
 * - `cedarReparsing`: `isAuthorized`, which parses the policy set on every call.
 * - `cedarFloor`: `statefulIsAuthorized` against `permit (principal, action, resource);` with no
 *   entities and an empty context: the least work any call through this API can do (not the mix's
 *   policy; it decides nothing and is not in the agreement check).
 * Both Gatehouse variants run with a no-op `detect` (tagging is not part of the decision comparison)
 * and a budget that always allows (per-agent bookkeeping, not policy).
 *
 * Env: BENCH_DECISION_ITERATIONS (20000 per engine), BENCH_DECISION_WARMUP (2000), BENCH_DECISION_ROUNDS (5).
 */
const POLICY_DIR = fileURLToPath(new URL('../policy', import.meta.url));
const POLICY_SET_ID = 'gatehouse-shipped';
const FLOOR_SET_ID = 'permit-all';

export default async function gatewayDecisionBench() {
  const iterations = readPositiveInt('BENCH_DECISION_ITERATIONS', 20_000);
  const warmup = readPositiveInt('BENCH_DECISION_WARMUP', 2_000);
  const rounds = readPositiveInt('BENCH_DECISION_ROUNDS', 5);
  const startedAt = new Date();
  const loadAtStart = loadAverage1m();
  const tree = await createProjectTree();
  try {
    const root = tree.root;
    const policy = await loadPolicy(POLICY_DIR);
    const handlers = new Map<string, ActionHandlerDefinition<unknown>>();
    for (const h of createCoreActionHandlers()) for (const name of [h.action, ...(h.aliases ?? [])]) handlers.set(name, h);
    const cedar = toCedarEquivalent(policy, root);
    const parsed = preparsePolicySet(POLICY_SET_ID, { staticPolicies: cedar.policies });
    if (parsed.type !== 'success') throw new Error(`cedar: the equivalent policy set does not parse: ${parsed.errors.map((e) => e.message).join('; ')}`);
    preparsePolicySet(FLOOR_SET_ID, { staticPolicies: 'permit (principal, action, resource);' });
    const floorCall = { principal: { type: 'Agent', id: 'bench-agent' }, action: { type: 'Action', id: 'read_file' }, resource: { type: 'Path', id: 'docs/readme.md' }, context: {}, entities: [], preparsedPolicySetId: FLOOR_SET_ID };

    const prepared = await Promise.all(
      DECISION_MIX.map(async (m, n) => {
        const handler = handlers.get(m.request.action);
        // Cedar's resource is the same canonical target the gateway computes (made before timing).
        const target = handler?.takesPath && handler.pathOf ? await canonicalizeTarget(handler.pathOf(handler.parseParams(m.request.params)), root) : null;
        const ctx: DecisionContext = { request: m.request, requestId: `bench-${n}`, principal: m.principal, policy, handlers, projectRoot: root, knobs: DEFAULT_GATEWAY_KNOBS, budget: { take: () => true }, detect: async () => [], now: startedAt };
        const call = cedar.callFor(m.principal, m.request, handler?.action ?? m.request.action, target, POLICY_SET_ID);
        const { preparsedPolicySetId: _, ...rest } = call;
        const reparsingCall: AuthorizationCall = { ...rest, policies: { staticPolicies: cedar.policies } };
        return { mix: m, ctx, call, reparsingCall };
      }),
    );
    const verdict = (o: CheckOutcome) => o.denial?.code ?? (o.approvalRule ? `PENDING_APPROVAL:${o.approvalRule.id}` : 'APPROVED');
    const lookups = createFsLookups();
    const withLookups = async <T>(mode: LookupMode, work: () => Promise<T>): Promise<T> => {
      lookups.install(mode);
      try {
        return await work();
      } finally {
        lookups.restore();
      }
    };

    // Agreement first: a figure for engines that decide differently would compare nothing.
    const entries = [];
    for (const p of prepared) {
      const withFs = verdict(await checkRequest(p.ctx));
      const fromMemory = verdict(await withLookups('memo', () => checkRequest(p.ctx)));
      const cedarSays = cedarVerdict(statefulIsAuthorized(p.call), policy);
      const cedarReparsing = cedarVerdict(isAuthorized(p.reparsingCall), policy);
      const threeWay = withFs.startsWith('PENDING') || withFs === 'APPROVED' ? withFs : 'DENIED';
      const agrees = withFs === p.mix.expect && fromMemory === withFs && cedarSays === threeWay && cedarReparsing === threeWay;
      entries.push({ label: p.mix.label, weight: p.mix.weight, expect: p.mix.expect, gatehouse: withFs, cedar: cedarSays, agrees });
    }
    const disagreements = entries.filter((e) => !e.agrees);
    if (disagreements.length > 0) throw new Error(`the engines disagree on ${disagreements.length} requests: ${JSON.stringify(disagreements, null, 2)}`);
    await withLookups('count', async () => {
      for (const p of prepared) await checkRequest(p.ctx);
    });
    const perDecision = (n: number) => Math.round((1000 * n) / prepared.length) / 1000;
    const fsLookupsPerDecision = { realpath: perDecision(lookups.calls.realpath), lstat: perDecision(lookups.calls.lstat), readlink: perDecision(lookups.calls.readlink), overTheMix: prepared.length };

    const order = weightedSequence(DECISION_MIX).map((n) => prepared[n] as (typeof prepared)[number]);
    const pick = (i: number) => order[i % order.length] as (typeof prepared)[number];
    const engines = {
      gatehouse: (i: number) => checkRequest(pick(i).ctx),
      gatehouseWithFs: (i: number) => checkRequest(pick(i).ctx),
      cedar: (i: number) => statefulIsAuthorized(pick(i).call),
      cedarReparsing: (i: number) => isAuthorized(pick(i).reparsingCall),
      cedarFloor: () => statefulIsAuthorized(floorCall),
    };
    type Engine = keyof typeof engines;
    const names = Object.keys(engines) as Engine[];
    const timed = Object.fromEntries(names.map((name) => [name, { name, samples: [] } as Timed])) as Record<Engine, Timed>;
    const run = async (name: Engine, into: Timed, count: number, offset: number) => {
      if (name === 'gatehouse') await withLookups('memo', () => timeAsync(into, count, offset, engines.gatehouse));
      else if (name === 'gatehouseWithFs') await timeAsync(into, count, offset, engines.gatehouseWithFs);
      else timeSync(into, count, offset, engines[name] as (i: number) => unknown);
    };
    for (const name of names) await run(name, { name, samples: [] }, warmup, 0);
    const perBlock = Math.ceil(iterations / rounds);
    for (let round = 0; round < rounds; round++) {
      progress(`round ${round + 1}/${rounds}: ${perBlock} calls per engine`);
      for (const name of names) await run(name, timed[name], perBlock, round * perBlock);
    }

    const results = Object.fromEntries(names.map((name) => [name, microSummary(timed[name])])) as Record<Engine, ReturnType<typeof microSummary>>;
    const ratio = (a: Engine, b: Engine) => ({ p50: round3(results[a].p50 / results[b].p50), p99: round3(results[a].p99 / results[b].p99) });
    const headline = ratio('gatehouse', 'cedar');
    const meetsTarget = headline.p50 <= 1 && headline.p99 <= 1;
    progress(`gatehouse/cedar p50 ${headline.p50}, p99 ${headline.p99} → ${meetsTarget ? 'meets target' : 'SLOWER THAN CEDAR'}`);
    const weightTotal = entries.reduce((s, e) => s + e.weight, 0);
    const allowedWeight = entries.filter((e) => !/^[a-z_]+$/.test(e.gatehouse)).reduce((s, e) => s + e.weight, 0);

    return {
      bench: 'gateway-decision',
      description: 'Gatehouse policy decision vs Cedar (cedar-wasm, equivalent policy), same process, same requests; µs per decision',
      timestamp: startedAt.toISOString(),
      machine: { ...machineFacts(), loadAverage1m: { start: loadAtStart, end: loadAverage1m() } },
      source: sourceState(),
      settings: { iterations, warmup, rounds, order: 'alternating blocks', projectRoot: root.startsWith('/dev/shm') ? 'tmpfs (/dev/shm)' : 'os temp dir', clock: 'process.hrtime.bigint per call' },
      cedar: { version: getCedarVersion(), api: 'statefulIsAuthorized with preparsePolicySet (parsed once); isAuthorized re-parses per call', policies: cedar.policies },
      mix: { requests: entries.length, weightedCycle: weightTotal, allowedShare: round3(allowedWeight / weightTotal), entries },
      agreement: { checked: entries.length, agree: entries.length - disagreements.length, comparedOn: 'APPROVED / PENDING_APPROVAL:<rule> / DENIED; Gatehouse with and without fs also on the denial code, and both against the expected outcome' },
      results,
      ratio: {
        gatehouseToCedar: headline,
        gatehouseToCedarFloor: ratio('gatehouse', 'cedarFloor'),
        gatehouseWithFsToCedar: ratio('gatehouseWithFs', 'cedar'),
      },
      fsLookupsPerDecision,
      target: 'no slower than Cedar (gatehouse ÷ cedar ≤ 1 at p50 and p99)',
      meetsTarget,
      notes: [
        'gatehouse = decision without I/O: the shipped checkRequest with realpath/lstat/readlink answered from memory; params parsing, path canonicalisation (string work) and the request event included.',
        'gatehouseWithFs = the same with path canonicalisation (fs) on a tmpfs project root.',
        'Both: detect is a no-op (tagging is not part of the decision comparison) and the budget always allows.',
        'cedar gets its request and entity slice pre-built; the timed call is statefulIsAuthorized only.',
      ],
    };
  } finally {
    await tree.remove();
  }
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

function progress(line: string): void {
  process.stderr.write(`[gateway-decision] ${line}\n`);
}
