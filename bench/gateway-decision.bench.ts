import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getCedarVersion, isAuthorized, preparsePolicySet, statefulIsAuthorized, type AuthorizationCall } from '@cedar-policy/cedar-wasm/nodejs';
import { createCoreActionHandlers } from '../plugins/core-actions/core-action-handlers.ts';
import { canonicalizeTarget, type CanonicalPathResult } from '../src/engine/gateway/canonical-path.ts';
import { checkRequest, type DecisionContext } from '../src/engine/gateway/decide-request.ts';
import { DEFAULT_GATEWAY_KNOBS } from '../src/engine/gateway/governance-knobs.ts';
import { loadPolicy } from '../src/engine/gateway/load-policy.ts';
import type { ActionHandlerDefinition } from '../src/plugins/api.ts';
import { loadAverage1m, machineFacts, readPositiveInt } from './lib/bench-env.ts';
import { cedarVerdict, toCedarEquivalent } from './lib/cedar-equivalent.ts';
import { createProjectTree, DECISION_MIX, weightedSequence } from './lib/decision-mix.ts';
import { microSummary, timeAsync, timeSync, type Timed } from './lib/micro-timing.ts';
import { decidePure, resolvePathRules, shippedPathRules, type PureOutcome } from './lib/pure-decision.ts';

/**
 * Decision latency without I/O (the bench issue: "no slower than Cedar"): Gatehouse's checks over a
 * mix of allowed and denied requests against the shipped `policy/`, side by side in this process with
 * Cedar (`@cedar-policy/cedar-wasm`) deciding the same requests under an equivalent policy set
 * (bench/lib/cedar-equivalent.ts). Both must agree on every request before a figure is reported.
 *
 * Timed, in alternating blocks so drift hits all alike, each after its own warm-up:
 * - `gatehouse`: the checks with the target canonicalised and the policy entries resolved up front
 *   (bench/lib/pure-decision.ts): the decision without I/O. Compared with `cedar` for the target.
 * - `gatehousePathRulesAsShipped`: the same with path-rules.ts as shipped, which resolves the root
 *   and every policy entry with realpath on each call.
 * - `gatehouseCheckRequestWithFs`: `checkRequest` itself, WITH path canonicalisation (fs) on a tmpfs
 *   project root, a no-op `detect` (tagging is not part of the decision) and an unlimited budget.
 * - `cedar`: `statefulIsAuthorized`, the policy set parsed once (`preparsePolicySet`); the per-call
 *   work Cedar cannot skip is converting the request and its entity slice (principal, the target's
 *   folders, protected paths for deletes), built before timing.
 * - `cedarReparsing`: `isAuthorized`, which parses the policy set on every call.
 * - `cedarFloor`: `statefulIsAuthorized` against `permit (principal, action, resource);` with no
 *   entities and an empty context: the least work any call through this API can do (not the mix's
 *   policy; it decides nothing and is not in the agreement check).
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

    const NOT_A_PATH: CanonicalPathResult = { ok: false, code: 'invalid_params', message: 'no path' };
    const prepared = await Promise.all(
      DECISION_MIX.map(async (m, n) => {
        const handler = handlers.get(m.request.action);
        const target = handler?.takesPath && handler.pathOf ? await canonicalizeTarget(handler.pathOf(handler.parseParams(m.request.params)), root) : null;
        const ctx: DecisionContext = { request: m.request, requestId: `bench-${n}`, principal: m.principal, policy, handlers, projectRoot: root, knobs: DEFAULT_GATEWAY_KNOBS, budget: { take: () => true }, detect: async () => [], now: startedAt };
        const call = cedar.callFor(m.principal, m.request, handler?.action ?? m.request.action, target, POLICY_SET_ID);
        const { preparsedPolicySetId: _, ...rest } = call;
        const reparsingCall: AuthorizationCall = { ...rest, policies: { staticPolicies: cedar.policies } };
        return { mix: m, ctx, target: target ?? NOT_A_PATH, call, reparsingCall };
      }),
    );
    const pureRules = resolvePathRules(policy, root);
    const shippedRules = shippedPathRules(policy, root);
    const verdict = (o: PureOutcome) => o.denial?.code ?? (o.approvalRule ? `PENDING_APPROVAL:${o.approvalRule.id}` : 'APPROVED');

    // Agreement first: a figure for engines that decide differently would compare nothing.
    const entries = [];
    for (const p of prepared) {
      const full = verdict(await checkRequest(p.ctx));
      const pure = verdict(decidePure(p.mix.request, p.mix.principal, policy, handlers, p.target, pureRules));
      const shipped = verdict(decidePure(p.mix.request, p.mix.principal, policy, handlers, p.target, shippedRules));
      const cedarSays = cedarVerdict(statefulIsAuthorized(p.call), policy);
      const cedarReparsing = cedarVerdict(isAuthorized(p.reparsingCall), policy);
      const threeWay = full.startsWith('PENDING') || full === 'APPROVED' ? full : 'DENIED';
      const agrees = full === p.mix.expect && pure === full && shipped === full && cedarSays === threeWay && cedarReparsing === threeWay;
      entries.push({ label: p.mix.label, weight: p.mix.weight, expect: p.mix.expect, checkRequest: full, pure, shipped, cedar: cedarSays, agrees });
    }
    const disagreements = entries.filter((e) => !e.agrees);
    if (disagreements.length > 0) throw new Error(`the engines disagree on ${disagreements.length} requests: ${JSON.stringify(disagreements, null, 2)}`);
    const realpathCallsPerDecision = await countRealpathCalls(prepared.map((p) => () => checkRequest(p.ctx)));

    const order = weightedSequence(DECISION_MIX).map((n) => prepared[n] as (typeof prepared)[number]);
    const pick = (i: number) => order[i % order.length] as (typeof prepared)[number];
    const engines = {
      gatehouse: (i: number) => decidePure(pick(i).mix.request, pick(i).mix.principal, policy, handlers, pick(i).target, pureRules),
      gatehousePathRulesAsShipped: (i: number) => decidePure(pick(i).mix.request, pick(i).mix.principal, policy, handlers, pick(i).target, shippedRules),
      gatehouseCheckRequestWithFs: (i: number) => checkRequest(pick(i).ctx),
      cedar: (i: number) => statefulIsAuthorized(pick(i).call),
      cedarReparsing: (i: number) => isAuthorized(pick(i).reparsingCall),
      cedarFloor: () => statefulIsAuthorized(floorCall),
    };
    type Engine = keyof typeof engines;
    const names = Object.keys(engines) as Engine[];
    const timed = Object.fromEntries(names.map((name) => [name, { name, samples: [] } as Timed])) as Record<Engine, Timed>;
    const run = async (name: Engine, into: Timed, count: number, offset: number) => {
      if (name === 'gatehouseCheckRequestWithFs') await timeAsync(into, count, offset, engines[name]);
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
    const allowedWeight = entries.filter((e) => !/^[a-z_]+$/.test(e.checkRequest)).reduce((s, e) => s + e.weight, 0);

    return {
      bench: 'gateway-decision',
      description: 'Gatehouse policy decision vs Cedar (cedar-wasm, equivalent policy), same process, same requests; µs per decision',
      timestamp: startedAt.toISOString(),
      machine: { ...machineFacts(), loadAverage1m: { start: loadAtStart, end: loadAverage1m() } },
      settings: { iterations, warmup, rounds, order: 'alternating blocks', projectRoot: root.startsWith('/dev/shm') ? 'tmpfs (/dev/shm)' : 'os temp dir', clock: 'process.hrtime.bigint per call' },
      cedar: { version: getCedarVersion(), api: 'statefulIsAuthorized with preparsePolicySet (parsed once); isAuthorized re-parses per call', policies: cedar.policies },
      mix: { requests: entries.length, weightedCycle: weightTotal, allowedShare: round3(allowedWeight / weightTotal), entries },
      agreement: { checked: entries.length, agree: entries.length - disagreements.length, comparedOn: 'APPROVED / PENDING_APPROVAL:<rule> / DENIED (Gatehouse variants also on the denial code)' },
      results,
      ratio: {
        gatehouseToCedar: headline,
        gatehouseToCedarFloor: ratio('gatehouse', 'cedarFloor'),
        pathRulesAsShippedToCedar: ratio('gatehousePathRulesAsShipped', 'cedar'),
        checkRequestWithFsToCedar: ratio('gatehouseCheckRequestWithFs', 'cedar'),
      },
      realpathCallsPerDecision,
      target: 'no slower than Cedar (gatehouse ÷ cedar ≤ 1 at p50 and p99)',
      meetsTarget,
      notes: [
        'gatehouse = decision without I/O: target canonicalised and policy entries resolved before timing; params parsing, rate budget and detection are not part of it.',
        'gatehouseCheckRequestWithFs includes path canonicalisation (realpath/lstat on a tmpfs root) and the request event; detect is a no-op (tagging is not part of the decision comparison), the budget always allows.',
        'cedar gets its request and entity slice pre-built; the timed call is statefulIsAuthorized only.',
      ],
    };
  } finally {
    await tree.remove();
  }
}

/** realpath(3) calls `checkRequest` makes per decision over the mix (fs.realpathSync.native, counted by wrapping it). */
async function countRealpathCalls(decisions: (() => Promise<unknown>)[]) {
  const native = fs.realpathSync.native;
  let calls = 0;
  const counting = ((...args: Parameters<typeof native>) => ((calls += 1), native(...args))) as typeof native;
  fs.realpathSync.native = counting;
  try {
    for (const decide of decisions) await decide();
  } finally {
    fs.realpathSync.native = native;
  }
  return { mean: round3(calls / decisions.length), total: calls, decisions: decisions.length };
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

function progress(line: string): void {
  process.stderr.write(`[gateway-decision] ${line}\n`);
}
