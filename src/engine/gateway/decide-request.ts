import type { ActionHandlerDefinition, PluginEvent } from '../../plugins/api.ts';
import type { Principal } from '../auth/principal.ts';
import { canonicalJson } from '../canonical-json.ts';
import type { Tag } from '../tagging/tag.ts';
import { createPathResolver } from './canonical-path.ts';
import { deny, type Denial, type GatewayRequestInput } from './decision.ts';
import type { GatewayKnobs } from './governance-knobs.ts';
import { checkJurisdictionPaths, checkProtected, checkSpecPaths, matchesApprovalRule } from './path-rules.ts';
import { USABLE_SPEC_STATUSES, type ApprovalRule, type Policy } from './policy.ts';
import type { RateBudget } from './rate-budget.ts';

/** Everything one decision reads. */
export interface DecisionContext {
  request: GatewayRequestInput;
  requestId: string;
  principal: Principal | null;
  policy: Policy | null;
  /** Handlers by action kind and by alias. */
  handlers: ReadonlyMap<string, ActionHandlerDefinition<unknown>>;
  projectRoot: string;
  knobs: GatewayKnobs;
  budget: RateBudget;
  /** Tags the request would get as an `agent_action` event (the detection bridge). */
  detect(event: PluginEvent): Promise<Tag[]>;
  now: Date;
}

/** The outcome of the checks, before the governance mode is applied (enforcement.ts). */
export interface CheckOutcome {
  /** The first failed check, in pipeline order (what an enforcing gateway reports). */
  denial: Denial | null;
  /** The first failed check that stopped the pipeline: nothing after it could be judged safely. */
  hardDenial: Denial | null;
  /** Canonical action kind when known, else what the agent sent. */
  action: string;
  handler: ActionHandlerDefinition<unknown> | null;
  params: unknown;
  targetPath: string | null;
  approvalRule: ApprovalRule | null;
  tags: Tag[];
  event: PluginEvent;
}

const MAX_PARAMS_TEXT = 1_100_000;

/**
 * The decision pipeline (DESIGN §7), fail-closed: authenticated identity binding → policy loaded →
 * spec exists and is usable → role authorised for the spec → action allowed by spec and jurisdiction →
 * handler exists → params valid → canonical target inside the root, the spec's paths and the role's
 * jurisdiction, and not protected (pathless actions must declare so) → budgets → detection → approval.
 *
 * Two kinds of failure. A *hard* failure (identity, no policy, unknown action, invalid params, a path
 * that cannot be made canonical or leaves the root) stops the pipeline: nothing after it can be judged.
 * A *policy* failure is recorded and the pipeline goes on, so every check that can run does run and the
 * outcome holds the first failure in order, the first hard one, the canonical target and the approval
 * rule. Enforcement of the outcome lives in enforcement.ts; this module has no notion of modes (a test
 * checks).
 */
export async function checkRequest(ctx: DecisionContext): Promise<CheckOutcome> {
  const { request: r, policy } = ctx;
  const handler = ctx.handlers.get(r.action) ?? null;
  const action = handler?.action ?? r.action;
  let paramsText = '';
  try {
    paramsText = canonicalJson(r.params ?? {});
  } catch {
    paramsText = '';
  }
  const event: PluginEvent = {
    sourceKind: 'agent_action',
    sourceId: ctx.requestId,
    occurredAt: ctx.now,
    attackerId: null,
    sessionId: null,
    host: null,
    payload: { agent: r.agent, role: r.role, spec_id: r.specId, action, params_text: paramsText.slice(0, MAX_PARAMS_TEXT), ...(r.rationale ? { rationale: r.rationale } : {}) },
  };
  const outcome: CheckOutcome = { denial: null, hardDenial: null, action, handler, params: r.params, targetPath: null, approvalRule: null, tags: [], event };
  const hard = (code: Denial['code'], message: string): CheckOutcome => {
    const d = deny(code, message);
    return { ...outcome, denial: outcome.denial ?? d, hardDenial: d };
  };
  const soft = (denial: Denial | null) => {
    if (denial && !outcome.denial) outcome.denial = denial;
  };

  const p = ctx.principal;
  if (!p || p.role !== 'agent' || p.agent !== r.agent || !p.agentRoles.includes(r.role)) {
    const who = p ? (p.role === 'agent' ? `agent ${p.agent} (roles ${p.agentRoles.join(', ')})` : `a ${p.role} token`) : 'no token';
    return hard('identity_mismatch', `request claims agent ${JSON.stringify(r.agent)} as role ${JSON.stringify(r.role)} but was made with ${who}`);
  }
  if (!policy) return hard('policy_unavailable', 'no valid policy has been loaded; every request is denied until one is');
  const spec = policy.specs.get(r.specId);
  const jurisdiction = policy.jurisdictions.get(r.role);
  if (!spec) soft(deny('spec_not_found', `no spec ${JSON.stringify(r.specId)} in the policy`));
  else if (!USABLE_SPEC_STATUSES.includes(spec.status)) soft(deny('spec_not_active', `spec ${spec.id} is ${spec.status}; only approved or active specs authorise work`));
  if (spec && !spec.roles.includes(r.role)) soft(deny('role_not_authorized', `role ${r.role} is not authorised for spec ${spec.id} (roles: ${spec.roles.join(', ') || 'none'})`));
  if (spec && !spec.actionTypes.includes(action)) soft(deny('action_not_allowed', `spec ${spec.id} does not allow ${action} (allows: ${spec.actionTypes.join(', ') || 'nothing'})`));
  if (!jurisdiction || !jurisdiction.actionTypes.includes(action)) {
    soft(deny('action_not_allowed', jurisdiction ? `role ${r.role}'s jurisdiction does not allow ${action}` : `role ${r.role} has no jurisdiction`));
  }
  if (!handler) return hard('unknown_action', `no handler for action ${JSON.stringify(r.action)}`);

  let params: unknown;
  try {
    params = handler.parseParams(r.params);
  } catch (err) {
    return hard('invalid_params', `params for ${action}: ${(err as Error).message}`);
  }
  outcome.params = params;

  let targetPath: string | null = null;
  // The root and each policy entry are resolved once for this decision, however many checks ask.
  const paths = createPathResolver(ctx.projectRoot);
  if (handler.takesPath) {
    let requested: string;
    try {
      if (!handler.pathOf) throw new Error('the handler takes a path but cannot name it');
      requested = handler.pathOf(params);
    } catch (err) {
      return hard('invalid_params', `params for ${action}: ${(err as Error).message}`);
    }
    // The agent_action event names the path acted on (rules match `target_path`): as requested, then
    // canonical once it is known, so a request denied for its path is still tagged by it.
    const payload = event.payload as Record<string, unknown>;
    payload.target_path = String(requested).slice(0, 4096);
    const canonical = paths.target(requested);
    if (!canonical.ok) return hard(canonical.code, canonical.message);
    targetPath = canonical.path;
    outcome.targetPath = targetPath;
    payload.target_path = targetPath.slice(0, 4096);
    if (spec) soft(checkSpecPaths(targetPath, spec, paths));
    if (jurisdiction) soft(checkJurisdictionPaths(targetPath, jurisdiction, paths));
    soft(checkProtected(targetPath, policy.protectedPaths, paths, { deleting: handler.mutates && action === 'delete_file' }));
  }

  // A budget that cannot be read is spent (fail-closed, issue 6 §5): the closed set has no outage code
  // of its own for budgets, and budget_exceeded is the check that did not pass; the message says why.
  try {
    if (!(await ctx.budget.take(r.agent, ctx.knobs.maxRequestsPerMinute, ctx.now.getTime(), ctx.requestId))) {
      soft(deny('budget_exceeded', `agent ${r.agent} exceeded ${ctx.knobs.maxRequestsPerMinute} requests per minute`));
    }
  } catch (err) {
    soft(deny('budget_exceeded', `the request budget of agent ${r.agent} could not be checked (${(err as Error).message}); denied until it can be`));
  }

  outcome.tags = await ctx.detect(event);
  const blocking = outcome.tags.find((t) => ctx.knobs.blockedTactics.includes(t.tactic) && t.confidence >= ctx.knobs.tagDenyThreshold);
  if (blocking) {
    soft(
      deny('blocked_by_detection', `rule ${blocking.ruleId} tagged this request ${blocking.subTechniqueId ?? blocking.techniqueId} (tactic ${blocking.tactic}, confidence ${blocking.confidence}); that tactic is blocked at ${ctx.knobs.tagDenyThreshold}`),
    );
  }
  outcome.approvalRule = matchesApprovalRule(action, targetPath, policy.approvalRules, paths);
  return outcome;
}
