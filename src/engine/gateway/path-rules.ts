import path from 'node:path';
import { isWithin, pathComponents, type PathResolver } from './canonical-path.ts';
import { deny, type Denial } from './decision.ts';
import type { ApprovalRule, Jurisdiction, Spec } from './policy.ts';
import { matchesGlob } from './path-glob.ts';

/**
 * The path checks of the decision pipeline (DESIGN §7), each returning a denial or null. `target` must
 * be the result of `canonicalizeTarget` (absolute, symlinks resolved); policy entries are canonicalised
 * here, against the same root, so both sides are compared by whole components after the same
 * resolution (DESIGN §10: no string prefixes). Entries are resolved at check time because the project
 * root is runtime configuration: an entry outside the root matches nothing. `paths` resolves each
 * entry once per decision (canonical-path.ts `createPathResolver`).
 *
 * Unresolvable entries fail closed: an allow-list entry (spec, jurisdiction) that cannot be resolved
 * allows nothing; a protected entry that cannot be resolved protects everything until it is fixed.
 */

/** Defence in depth: a target that is not inside the canonical root never reaches the policy checks. */
function outsideRoot(target: string, paths: PathResolver): Denial | null {
  const canonicalRoot = paths.root();
  if (canonicalRoot === null) return deny('path_outside_root', `the project root ${paths.projectRoot} cannot be resolved`);
  if (!path.isAbsolute(target) || !isWithin(target, canonicalRoot)) return deny('path_outside_root', `path ${target} is not inside the project root ${canonicalRoot}`);
  return null;
}

function coveredBy(target: string, entries: readonly string[], paths: PathResolver): boolean {
  return entries.some((entry) => {
    const resolved = paths.policyPath(entry);
    return resolved.ok && isWithin(target, resolved.path);
  });
}

const list = (entries: readonly string[]): string => (entries.length === 0 ? 'none' : entries.join(', '));

/**
 * The target lies inside one of the spec's paths (a directory covers its subtree). Reported as
 * `path_outside_jurisdiction`, the closest code in the closed set: the spec's paths bound the work.
 */
export function checkSpecPaths(target: string, spec: Spec, paths: PathResolver): Denial | null {
  const escaped = outsideRoot(target, paths);
  if (escaped) return escaped;
  if (coveredBy(target, spec.paths, paths)) return null;
  return deny('path_outside_jurisdiction', `path ${target} is outside the paths of spec ${spec.id} (${list(spec.paths)})`);
}

/** The target lies inside one of the role's jurisdiction paths. */
export function checkJurisdictionPaths(target: string, jurisdiction: Jurisdiction, paths: PathResolver): Denial | null {
  const escaped = outsideRoot(target, paths);
  if (escaped) return escaped;
  if (coveredBy(target, jurisdiction.paths, paths)) return null;
  return deny('path_outside_jurisdiction', `path ${target} is outside the jurisdiction of role ${jurisdiction.role} (${list(jurisdiction.paths)})`);
}

/**
 * Nothing may touch a protected path or anything below it; and deleting (or renaming away) a directory
 * above a protected path would remove it too, so with `deleting` a target that contains a protected
 * path is refused as well.
 */
export function checkProtected(target: string, protectedPaths: readonly string[], paths: PathResolver, options: { deleting: boolean }): Denial | null {
  const escaped = outsideRoot(target, paths);
  if (escaped) return escaped;
  for (const entry of protectedPaths) {
    const resolved = paths.policyPath(entry);
    if (!resolved.ok) {
      if (resolved.code === 'path_outside_root') continue;
      return deny('path_protected', `protected path ${JSON.stringify(entry)} cannot be resolved (${resolved.message}); every path is treated as protected until it is fixed`);
    }
    if (isWithin(target, resolved.path)) {
      return deny('path_protected', `path ${target} is protected${target === resolved.path ? '' : ` (inside ${JSON.stringify(entry)})`}`);
    }
    if (options.deleting && isWithin(resolved.path, target)) {
      return deny('path_protected', `deleting ${target} would remove the protected path ${JSON.stringify(entry)} inside it`);
    }
  }
  return null;
}

/**
 * Whether one glob covers the canonical target. The literal components before the first wildcard are
 * resolved like any policy entry (so `docs/releases/**` still matches when `docs` is a symlink); the
 * rest is matched against what follows. A literal prefix that cannot be resolved counts as a match:
 * for approvals, fail-closed means asking an operator.
 */
function globCovers(glob: string, target: string, paths: PathResolver): boolean {
  const parts = glob.split('/');
  const firstWild = parts.findIndex((p) => p.includes('*'));
  const literal = firstWild === -1 ? parts : parts.slice(0, firstWild);
  const rest = firstWild === -1 ? [] : parts.slice(firstWild);
  const prefix = paths.policyPath(literal.length === 0 ? '.' : literal.join('/'));
  if (!prefix.ok) return prefix.code === 'invalid_params';
  if (!isWithin(target, prefix.path)) return false;
  return matchesGlob(rest, pathComponents(target).slice(pathComponents(prefix.path).length));
}

/**
 * The first approval rule (in file order) that the request matches, or null. A rule matches when its
 * actions are empty or include `action`, and its path globs are empty or one of them covers the
 * target. A pathless action (`target` null) matches only rules without path globs: a glob names paths,
 * and a request that touches none is not one it describes.
 */
export function matchesApprovalRule(action: string, target: string | null, rules: readonly ApprovalRule[], paths: PathResolver): ApprovalRule | null {
  for (const rule of rules) {
    if (rule.actions.length > 0 && !rule.actions.includes(action)) continue;
    if (rule.paths.length === 0) return rule;
    if (target !== null && rule.paths.some((glob) => globCovers(glob, target, paths))) return rule;
  }
  return null;
}
