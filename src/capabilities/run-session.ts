import type { Principal } from '../engine/auth/principal.ts';
import type { GatewayKnobs } from '../engine/gateway/governance-knobs.ts';
import { toGatewayKnobs } from '../engine/gateway/governance-knobs.ts';
import type { GatewayService } from '../engine/gateway/gateway-service.ts';
import type { Policy } from '../engine/gateway/policy.ts';
import type { RunRecord } from '../engine/runs/run.ts';
import type { RunSession } from '../engine/runs/run-session.ts';
import type { StepTag } from '../engine/runs/run-step-result.ts';
import { createRuleEngine } from '../engine/tagging/rule-engine.ts';
import type { EffectiveRuleState } from '../engine/tagging/rule-state.ts';
import type { Tag } from '../engine/tagging/tag.ts';
import type { TaggingService } from '../engine/tagging/tagging-service.ts';
import type { Rule } from '../engine/tagging/rule.ts';
import type { LifterDefinition, PluginEvent } from '../plugins/api.ts';

const toStepTag = (t: Tag): StepTag => ({ id: t.id, ruleId: t.ruleId, tactic: t.tactic, techniqueId: t.techniqueId, subTechniqueId: t.subTechniqueId, confidence: t.confidence });

const ENABLED: EffectiveRuleState = { state: 'enabled', confidenceMax: null };

/**
 * Builds what one run replays through (issue #5 §4): its own rule engine over the rule pack and rule
 * states frozen at start (so its lifter windows are its own), the policy and governance it froze, a
 * gateway whose clock is the virtual clock, everything stored under the run id and nothing published
 * to live streams.
 */
export function openRunSession(deps: {
  run: RunRecord;
  rules: readonly Rule[];
  ruleStates: ReadonlyMap<string, EffectiveRuleState>;
  lifters: readonly LifterDefinition<unknown>[];
  policy: Policy | null;
  /** The run's own tagging service (its store keeps everything under the run id). */
  tagging: TaggingService;
  createRunGateway(run: { policy: Policy | null; knobs: GatewayKnobs; detect(event: PluginEvent): Promise<Tag[]>; recordEvent(event: PluginEvent, runId: string | null): Promise<string[]>; now(): Date }): GatewayService;
  onLifterFailure(lifterId: string, message: string): void;
}): RunSession {
  const { run } = deps;
  const settings = run.snapshot?.governance.settings;
  if (!settings) throw new Error(`run ${run.runId} has no frozen governance`);
  let lifterErrors = 0;
  const engine = createRuleEngine({
    rules: deps.rules,
    lifters: deps.lifters,
    states: { effective: (ruleId) => deps.ruleStates.get(ruleId) ?? ENABLED },
    confidenceFloor: () => settings.confidenceFloor,
    onLifterFailure: (lifterId, _failure, message) => {
      lifterErrors += 1;
      deps.onLifterFailure(lifterId, message);
    },
  });
  let virtualNow = new Date(0);
  const outstanding: Promise<void>[] = [];
  let lastRequestTags: Tag[] = [];
  const gateway = deps.createRunGateway({
    policy: deps.policy,
    knobs: toGatewayKnobs(settings),
    detect: (event) => engine.evaluate(event),
    async recordEvent(event, runId) {
      const summary = await deps.tagging.ingest([{ ...event, occurredAt: event.occurredAt }], { runId, publish: false, engine });
      lastRequestTags = summary.results[0]?.newTags ?? [];
      return summary.results[0]?.newTagIds ?? [];
    },
    now: () => virtualNow,
  });

  return {
    async ingest(steps) {
      const summary = await deps.tagging.ingest(
        steps.map((s) => s.event),
        { runId: run.runId, publish: false, engine },
      );
      return steps.map((_s, i) => {
        const r = summary.results[i];
        return r?.accepted ? { tags: r.newTags.map(toStepTag), error: null } : { tags: [], error: r?.error ?? 'not processed' };
      });
    },
    // The run goes on once a request is decided; its audit commit joins the next ones (group commit)
    // instead of each request waiting behind the run's own writes. `settled` collects them.
    async submit(step) {
      virtualNow = step.at;
      lastRequestTags = [];
      const principal: Principal = { tokenId: `run:${run.runId}`, name: `replay ${run.runId}`, role: 'agent', agent: step.tokenAgent, agentRoles: step.tokenRoles };
      const { record, done } = await gateway.submitDecided({ ...step.request, dryRun: true }, principal, { origin: { tokenId: null, tokenName: run.startedBy, transport: 'system' }, runId: run.runId });
      const decided = { requestId: record.requestId, status: record.status, reasonCode: record.reason?.code ?? null, tags: lastRequestTags.map(toStepTag) };
      const check = done.then((final) => {
        if (final.status !== decided.status) {
          throw new Error(`request ${final.requestId} was decided ${decided.status} but ended ${final.status} (${final.reason?.code ?? 'no reason'}: ${final.reason?.message ?? ''})`);
        }
      });
      check.catch(() => {}); // reported by settled(); never an unhandled rejection meanwhile
      outstanding.push(check);
      return decided;
    },
    async settled() {
      await Promise.all(outstanding.splice(0));
    },
    lifterErrors: () => lifterErrors,
  };
}
