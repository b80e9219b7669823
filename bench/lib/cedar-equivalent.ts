import path from 'node:path';
import type { AuthorizationAnswer, EntityJson, EntityUidJson, StatefulAuthorizationCall } from '@cedar-policy/cedar-wasm/nodejs';
import type { Principal } from '../../src/engine/auth/principal.ts';
import { canonicalizePolicyPath, type CanonicalPathResult } from '../../src/engine/gateway/canonical-path.ts';
import type { GatewayRequestInput } from '../../src/engine/gateway/decision.ts';
import { USABLE_SPEC_STATUSES, type Policy } from '../../src/engine/gateway/policy.ts';

/**
 * The gateway policy as a Cedar policy set, generated from the loaded `Policy` so the two cannot say
 * different things by accident. The model:
 *
 * - principal: `Agent::"<token's agent>"`, a member of `Role::"<r>"` for each role the token carries
 *   (any other token is `Token::"<id>"`, a member of nothing); the request's claims go in the
 *   context: `{ agent, role, spec }` as entity references.
 * - action: `Action::"<canonical kind>"` (aliases mapped first, as the gateway's handler map does).
 * - resource: `Path::"<path relative to the canonical root>"`, whose parent is its folder, up to
 *   `Path::"."`; so "inside docs/" is `resource in Path::"docs"`. A target outside the root is a
 *   `Path` with no parents.
 * - one `permit` per usable spec and role (spec paths AND jurisdiction paths, actions in both);
 *   per protected path a `forbid` on it and below, and a `forbid` of deletes above it;
 * - approval rules as narrower copies of each permit (`approval:<rule>:<permit>`): they never allow
 *   more, and an allow whose reasons include one is `PENDING_APPROVAL` for the first rule in file order.
 *
 * Globs must be a literal path or a literal prefix plus a final `**` (the shipped ones are); other
 * globs have no entity-membership equivalent and are refused.
 */
export interface CedarEquivalent {
  policies: Record<string, string>;
  /** The call for one request; `target` is the gateway's canonicalisation of its path (null: none). */
  callFor(principal: Principal | null, r: GatewayRequestInput, action: string, target: CanonicalPathResult | null, policySetId: string): StatefulAuthorizationCall;
}

const ROOT_ID = '.';
const uid = (type: string, id: string): EntityUidJson => ({ type, id });
const ref = (type: string, id: string) => ({ __entity: { type, id } });

function quote(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new Error(`cedar translation: ${JSON.stringify(value)} has characters this translation does not escape`);
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function toCedarEquivalent(policy: Policy, root: string): CedarEquivalent {
  const rel = (absolute: string) => (absolute === root ? ROOT_ID : path.relative(root, absolute));
  const entry = (p: string) => canonicalizePolicyPath(p, root);
  const inAny = (entries: readonly string[]) => {
    const ids = entries.map(entry).flatMap((r) => (r.ok ? [rel(r.path)] : []));
    return ids.length === 0 ? 'false' : `(${ids.map((id) => `resource in Path::${quote(id)}`).join(' || ')})`;
  };
  const actions = (kinds: readonly string[]) => `[${kinds.map((k) => `Action::${quote(k)}`).join(', ')}]`;

  const permits: [string, string, string][] = [];
  for (const spec of policy.specs.values()) {
    if (!USABLE_SPEC_STATUSES.includes(spec.status)) continue;
    for (const role of spec.roles) {
      const j = policy.jurisdictions.get(role);
      const kinds = j ? spec.actionTypes.filter((a) => j.actionTypes.includes(a)) : [];
      if (!j || kinds.length === 0) continue;
      const scope = `permit (principal in Role::${quote(role)}, action in ${actions(kinds)}, resource)`;
      const when = `context.agent == principal && context.role == Role::${quote(role)} && context.spec == Spec::${quote(spec.id)} && ${inAny(spec.paths)} && ${inAny(j.paths)}`;
      permits.push([`${spec.id}/${role}`, scope, when]);
    }
  }
  const policies: Record<string, string> = {};
  for (const [id, scope, when] of permits) policies[id] = `${scope} when { ${when} };`;
  for (const [n, protectedPath] of policy.protectedPaths.entries()) {
    const r = entry(protectedPath);
    if (!r.ok && r.code === 'path_outside_root') continue;
    if (!r.ok) policies[`protected:${n}`] = 'forbid (principal, action, resource);';
    else {
      policies[`protected:${n}`] = `forbid (principal, action, resource in Path::${quote(rel(r.path))});`;
      policies[`protected-parent:${n}`] = `forbid (principal, action == Action::"delete_file", resource) when { Path::${quote(rel(r.path))} in resource };`;
    }
  }
  for (const rule of policy.approvalRules) {
    const conditions = [...(rule.actions.length > 0 ? [`action in ${actions(rule.actions)}`] : []), ...(rule.paths.length > 0 ? [`(${rule.paths.map((g) => globCondition(g, entry, rel)).join(' || ')})`] : [])];
    for (const [id, scope, when] of permits) policies[`approval:${rule.id}:${id}`] = `${scope} when { ${[when, ...conditions].join(' && ')} };`;
  }

  const protectedChains = policy.protectedPaths.map(entry).flatMap((r) => (r.ok ? chain(rel(r.path)) : []));
  return {
    policies,
    callFor(principal, r, action, target, policySetId) {
      const principalUid = principal?.role === 'agent' && principal.agent ? uid('Agent', principal.agent) : uid('Token', principal?.tokenId ?? 'anonymous');
      // A canonical target is inside the root (canonicalizeTarget refuses the rest); a refused one is a
      // parentless Path named as the agent wrote it, inside no folder.
      const resourceId = target === null ? ROOT_ID : target.ok ? rel(target.path) : String((r.params as { path?: unknown } | null)?.path);
      const inside = target !== null && target.ok;
      const entities: EntityJson[] = [
        { uid: principalUid, attrs: {}, parents: principal?.role === 'agent' ? principal.agentRoles.map((role) => uid('Role', role)) : [] },
        ...(inside ? chain(resourceId) : [{ uid: uid('Path', resourceId), attrs: {}, parents: [] }]),
        // Only a delete asks whether a protected path lies below the target: the smallest slice.
        ...(action === 'delete_file' ? protectedChains : []),
      ];
      return {
        principal: principalUid,
        action: uid('Action', action),
        resource: uid('Path', resourceId),
        context: { agent: ref('Agent', r.agent), role: ref('Role', r.role), spec: ref('Spec', r.specId) },
        preparsedPolicySetId: policySetId,
        entities: dedupe(entities),
      };
    },
  };
}

/** `APPROVED`, `PENDING_APPROVAL:<rule>` or `DENIED`, from a Cedar answer (rules in file order). */
export function cedarVerdict(answer: AuthorizationAnswer, policy: Policy): string {
  if (answer.type !== 'success') throw new Error(`cedar: ${answer.errors.map((e) => e.message).join('; ')}`);
  if (answer.response.diagnostics.errors.length > 0) throw new Error(`cedar: ${JSON.stringify(answer.response.diagnostics.errors)}`);
  if (answer.response.decision === 'deny') return 'DENIED';
  const reasons = answer.response.diagnostics.reason;
  const rule = policy.approvalRules.find((a) => reasons.some((id) => id.startsWith(`approval:${a.id}:`)));
  return rule ? `PENDING_APPROVAL:${rule.id}` : 'APPROVED';
}

/** `Path::"docs/a/b.md"` → itself, `docs/a`, `docs`, `.`; each entity names its folder as parent. */
function chain(id: string): EntityJson[] {
  const parts = id === ROOT_ID ? [] : id.split(path.sep);
  const out: EntityJson[] = [];
  for (let n = parts.length; n > 0; n--) out.push({ uid: uid('Path', parts.slice(0, n).join('/')), attrs: {}, parents: [uid('Path', n === 1 ? ROOT_ID : parts.slice(0, n - 1).join('/'))] });
  out.push({ uid: uid('Path', ROOT_ID), attrs: {}, parents: [] });
  return out;
}

function dedupe(entities: EntityJson[]): EntityJson[] {
  const seen = new Set<string>();
  return entities.filter((e) => {
    const key = JSON.stringify(e.uid);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

function globCondition(glob: string, entry: (p: string) => CanonicalPathResult, rel: (abs: string) => string): string {
  const parts = glob.split('/');
  const wild = parts.findIndex((p) => p.includes('*'));
  if (wild !== -1 && (wild !== parts.length - 1 || parts[wild] !== '**')) throw new Error(`cedar translation: glob ${JSON.stringify(glob)} is not a literal path or a literal prefix plus a final **`);
  const literal = wild === -1 ? parts : parts.slice(0, wild);
  const r = entry(literal.length === 0 ? '.' : literal.join('/'));
  if (!r.ok) return r.code === 'invalid_params' ? 'true' : 'false';
  return wild === -1 ? `resource == Path::${quote(rel(r.path))}` : `resource in Path::${quote(rel(r.path))}`;
}
