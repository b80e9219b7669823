import type { ActionHandlerDefinition, PluginEvent } from '../../plugins/api.ts';
import type { Principal } from '../auth/principal.ts';
import { canonicalJson } from '../canonical-json.ts';
import type { Tag } from '../tagging/tag.ts';
import { canonicalizeTarget } from './canonical-path.ts';
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
  denial: Denial | null;
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
 * The decision pipeline (DESIGN §7), fail-closed: every check must pass, in this order, and any error
 * on the way is a denial. Authenticated identity binding → policy loaded → spec exists and is usable →
 * role authorised for the spec → action allowed by spec and jurisdiction → handler exists → params
 * valid → canonical target inside the root, the spec's paths and the role's jurisdiction, and not
 * protected (pathless actions must declare so) → budgets → detection. Enforcement of the outcome lives
 * in enforcement.ts: this module has no notion of modes (a test checks).
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
  const outcome: CheckOutcome = { denial: null, action, handler, params: r.params, targetPath: null, approvalRule: null, tags: [], event };
  const fail = (code: Denial['code'], message: string) => ({ ...outcome, denial: deny(code, message) });

  const p = ctx.principal;
  if (!p || p.role !== 'agent' || p.agent !== r.agent || !p.agentRoles.includes(r.role)) {
    const who = p ? (p.role === 'agent' ? `agent ${p.agent} (roles ${p.agentRoles.join(', ')})` : `a ${p.role} token`) : 'no token';
    return fail('identity_mismatch', `request claims agent ${JSON.stringify(r.agent)} as role ${JSON.stringify(r.role)} but was made with ${who}`);
  }
  if (!policy) return fail('policy_unavailable', 'no valid policy has been loaded; every request is denied until one is');
  const spec = policy.specs.get(r.specId);
  if (!spec) return fail('spec_not_found', `no spec ${JSON.stringify(r.specId)} in the policy`);
  if (!USABLE_SPEC_STATUSES.includes(spec.status)) return fail('spec_not_active', `spec ${spec.id} is ${spec.status}; only approved or active specs authorise work`);
  if (!spec.roles.includes(r.role)) return fail('role_not_authorized', `role ${r.role} is not authorised for spec ${spec.id} (roles: ${spec.roles.join(', ') || 'none'})`);
  const jurisdiction = policy.jurisdictions.get(r.role);
  if (!spec.actionTypes.includes(action)) return fail('action_not_allowed', `spec ${spec.id} does not allow ${action} (allows: ${spec.actionTypes.join(', ') || 'nothing'})`);
  if (!jurisdiction || !jurisdiction.actionTypes.includes(action)) {
    return fail('action_not_allowed', jurisdiction ? `role ${r.role}'s jurisdiction does not allow ${action}` : `role ${r.role} has no jurisdiction`);
  }
  if (!handler) return fail('unknown_action', `no handler for action ${JSON.stringify(r.action)}`);

  let params: unknown;
  try {
    params = handler.parseParams(r.params);
  } catch (err) {
    return fail('invalid_params', `params for ${action}: ${(err as Error).message}`);
  }
  outcome.params = params;

  let targetPath: string | null = null;
  if (handler.takesPath) {
    let requested: string;
    try {
      if (!handler.pathOf) throw new Error('the handler takes a path but cannot name it');
      requested = handler.pathOf(params);
    } catch (err) {
      return fail('invalid_params', `params for ${action}: ${(err as Error).message}`);
    }
    const canonical = await canonicalizeTarget(requested, ctx.projectRoot);
    if (!canonical.ok) return fail(canonical.code, canonical.message);
    targetPath = canonical.path;
    outcome.targetPath = targetPath;
    const pathDenial =
      checkSpecPaths(targetPath, spec, ctx.projectRoot) ??
      checkJurisdictionPaths(targetPath, jurisdiction, ctx.projectRoot) ??
      checkProtected(targetPath, policy.protectedPaths, ctx.projectRoot, { deleting: handler.mutates && action === 'delete_file' });
    if (pathDenial) return { ...outcome, denial: pathDenial };
  }

  if (!ctx.budget.take(r.agent, ctx.knobs.maxRequestsPerMinute, ctx.now.getTime())) {
    return fail('budget_exceeded', `agent ${r.agent} exceeded ${ctx.knobs.maxRequestsPerMinute} requests per minute`);
  }

  outcome.tags = await ctx.detect(event);
  const blocking = outcome.tags.find((t) => ctx.knobs.blockedTactics.includes(t.tactic) && t.confidence >= ctx.knobs.tagDenyThreshold);
  if (blocking) {
    return {
      ...outcome,
      denial: deny('blocked_by_detection', `rule ${blocking.ruleId} tagged this request ${blocking.subTechniqueId ?? blocking.techniqueId} (tactic ${blocking.tactic}, confidence ${blocking.confidence}); that tactic is blocked at ${ctx.knobs.tagDenyThreshold}`),
    };
  }
  outcome.approvalRule = matchesApprovalRule(action, targetPath, policy.approvalRules, ctx.projectRoot);
  return outcome;
}
