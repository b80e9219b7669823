import type { ActionHandlerDefinition } from '../../src/plugins/api.ts';
import type { Principal } from '../../src/engine/auth/principal.ts';
import { canonicalizePolicyPath, isWithin, pathComponents, type CanonicalPathResult } from '../../src/engine/gateway/canonical-path.ts';
import { deny, type Denial, type GatewayRequestInput } from '../../src/engine/gateway/decision.ts';
import { matchesGlob } from '../../src/engine/gateway/path-glob.ts';
import { checkJurisdictionPaths, checkProtected, checkSpecPaths, matchesApprovalRule } from '../../src/engine/gateway/path-rules.ts';
import { USABLE_SPEC_STATUSES, type ApprovalRule, type Jurisdiction, type Policy, type Spec } from '../../src/engine/gateway/policy.ts';

/**
 * The checks of `checkRequest` (src/engine/gateway/decide-request.ts) that need no I/O once the target
 * is canonical, in the same order with the same codes: identity, spec, role, action (spec and
 * jurisdiction), handler, the target against the spec's paths, the jurisdiction and the protected
 * paths, then the approval rules. Left out: params parsing (input validation Cedar does not do),
 * path canonicalisation (I/O), the rate budget (stateful) and detection (tagging, not policy).
 *
 * This is a mirror, so it could drift from `checkRequest`: the bench fails unless both give the same
 * code and approval rule for every request of the mix. `PathRules` is the only difference between
 * the two variants the bench times: `SHIPPED_PATH_RULES` calls src/engine/gateway/path-rules.ts, which
 * canonicalises the root and every policy entry against the filesystem on each call (realpath), and
 * `resolvePathRules` resolves them once up front, the only way to time the checks without I/O.
 */
export interface PathRules {
  spec(target: string, spec: Spec): Denial | null;
  jurisdiction(target: string, jurisdiction: Jurisdiction): Denial | null;
  protect(target: string, deleting: boolean): Denial | null;
  approval(action: string, target: string | null): ApprovalRule | null;
}

export interface PureOutcome {
  denial: Denial | null;
  approvalRule: ApprovalRule | null;
}

export function decidePure(r: GatewayRequestInput, p: Principal | null, policy: Policy, handlers: ReadonlyMap<string, ActionHandlerDefinition<unknown>>, target: CanonicalPathResult, rules: PathRules): PureOutcome {
  const fail = (code: Denial['code'], message: string): PureOutcome => ({ denial: deny(code, message), approvalRule: null });
  if (!p || p.role !== 'agent' || p.agent !== r.agent || !p.agentRoles.includes(r.role)) {
    return fail('identity_mismatch', `request claims agent ${JSON.stringify(r.agent)} as role ${JSON.stringify(r.role)} but was made with ${p ? p.role : 'no token'}`);
  }
  const handler = handlers.get(r.action) ?? null;
  const action = handler?.action ?? r.action;
  const spec = policy.specs.get(r.specId);
  if (!spec) return fail('spec_not_found', `no spec ${JSON.stringify(r.specId)} in the policy`);
  if (!USABLE_SPEC_STATUSES.includes(spec.status)) return fail('spec_not_active', `spec ${spec.id} is ${spec.status}`);
  if (!spec.roles.includes(r.role)) return fail('role_not_authorized', `role ${r.role} is not authorised for spec ${spec.id}`);
  const jurisdiction = policy.jurisdictions.get(r.role);
  if (!spec.actionTypes.includes(action)) return fail('action_not_allowed', `spec ${spec.id} does not allow ${action}`);
  if (!jurisdiction || !jurisdiction.actionTypes.includes(action)) return fail('action_not_allowed', `role ${r.role}'s jurisdiction does not allow ${action}`);
  if (!handler) return fail('unknown_action', `no handler for action ${JSON.stringify(r.action)}`);
  let targetPath: string | null = null;
  if (handler.takesPath) {
    if (!target.ok) return fail(target.code, target.message);
    targetPath = target.path;
    const denial = rules.spec(targetPath, spec) ?? rules.jurisdiction(targetPath, jurisdiction) ?? rules.protect(targetPath, handler.mutates && action === 'delete_file');
    if (denial) return { denial, approvalRule: null };
  }
  return { denial: null, approvalRule: rules.approval(action, targetPath) };
}

/** The path checks exactly as the gateway runs them: entries and root canonicalised on every call. */
export function shippedPathRules(policy: Policy, root: string): PathRules {
  return {
    spec: (target, spec) => checkSpecPaths(target, spec, root),
    jurisdiction: (target, jurisdiction) => checkJurisdictionPaths(target, jurisdiction, root),
    protect: (target, deleting) => checkProtected(target, policy.protectedPaths, root, { deleting }),
    approval: (action, target) => matchesApprovalRule(action, target, policy.approvalRules, root),
  };
}

/**
 * The same rules with every policy entry canonicalised once, now (the I/O), so a check is component
 * comparisons only. Same semantics as path-rules.ts for a tree that does not change in between: an
 * allow-list entry that does not resolve allows nothing, a protected one protects everything, a
 * glob whose literal prefix does not resolve inside the root matches nothing (outside) or everything.
 */
export function resolvePathRules(policy: Policy, root: string): PathRules {
  const resolved = (entries: readonly string[]) => entries.map((e) => canonicalizePolicyPath(e, root)).flatMap((r) => (r.ok ? [r.path] : []));
  const specPaths = new Map([...policy.specs.values()].map((s) => [s.id, resolved(s.paths)]));
  const jurisdictionPaths = new Map([...policy.jurisdictions.values()].map((j) => [j.role, resolved(j.paths)]));
  const protectedPaths = policy.protectedPaths.map((entry) => ({ entry, resolved: canonicalizePolicyPath(entry, root) })).filter((p) => p.resolved.ok || p.resolved.code !== 'path_outside_root');
  const approvals = policy.approvalRules.map((rule) => ({ rule, globs: rule.paths.map((glob) => compileGlob(glob, root)) }));
  const within = (target: string, entries: readonly string[] | undefined) => (entries ?? []).some((e) => isWithin(target, e));
  return {
    spec: (target, spec) => (within(target, specPaths.get(spec.id)) ? null : deny('path_outside_jurisdiction', `path ${target} is outside the paths of spec ${spec.id}`)),
    jurisdiction: (target, j) => (within(target, jurisdictionPaths.get(j.role)) ? null : deny('path_outside_jurisdiction', `path ${target} is outside the jurisdiction of role ${j.role}`)),
    protect(target, deleting) {
      for (const { entry, resolved: r } of protectedPaths) {
        if (!r.ok) return deny('path_protected', `protected path ${JSON.stringify(entry)} cannot be resolved`);
        if (isWithin(target, r.path)) return deny('path_protected', `path ${target} is protected`);
        if (deleting && isWithin(r.path, target)) return deny('path_protected', `deleting ${target} would remove the protected path ${JSON.stringify(entry)} inside it`);
      }
      return null;
    },
    approval(action, target) {
      for (const { rule, globs } of approvals) {
        if (rule.actions.length > 0 && !rule.actions.includes(action)) continue;
        if (globs.length === 0) return rule;
        if (target !== null && globs.some((g) => g(target))) return rule;
      }
      return null;
    },
  };
}

function compileGlob(glob: string, root: string): (target: string) => boolean {
  const parts = glob.split('/');
  const firstWild = parts.findIndex((p) => p.includes('*'));
  const literal = firstWild === -1 ? parts : parts.slice(0, firstWild);
  const rest = firstWild === -1 ? [] : parts.slice(firstWild);
  const prefix = canonicalizePolicyPath(literal.length === 0 ? '.' : literal.join('/'), root);
  if (!prefix.ok) return () => prefix.code === 'invalid_params';
  const depth = pathComponents(prefix.path).length;
  return (target) => isWithin(target, prefix.path) && matchesGlob(rest, pathComponents(target).slice(depth));
}
