import { lstatSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';

/**
 * Canonical paths for the gateway (issue #4: "paths are compared as canonical absolute paths by whole
 * components"). DESIGN §10 lists the defects this module exists to avoid: string-prefix checks
 * (`/proj` vs `/proj-evil`) and trusting a path before its symlinks are resolved.
 *
 * The filesystem calls are synchronous on purpose: the request target and every policy entry go
 * through the one algorithm below (two copies of a security check drift apart), and the path rules
 * that canonicalise policy entries are synchronous checks in the decision pipeline. The calls are
 * `realpath`/`lstat`/`readlink` on local paths, which do not wait on anything but the disk cache.
 */

/** Linux PATH_MAX and NAME_MAX, in bytes of UTF-8. */
export const MAX_PATH_BYTES = 4096;
export const MAX_COMPONENT_BYTES = 255;
/** Symlinks followed by hand (dangling ones) before giving up, as the kernel's ELOOP limit. */
const MAX_LINK_HOPS = 40;

/** C0 controls (NUL included), DEL and C1 controls: never part of a path an agent may name. */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

export type CanonicalPathResult = { ok: true; path: string } | { ok: false; code: 'invalid_params' | 'path_outside_root'; message: string };

/** Splits an absolute path into its components (no empty ones). */
export function pathComponents(p: string): string[] {
  return p.split(path.sep).filter((c) => c !== '');
}

/**
 * True when `child` is `parent` or lies below it, compared by whole components — so `/proj-evil` is
 * not within `/proj`. Both must already be canonical (see `canonicalizeTarget`); this does no I/O.
 */
export function isWithin(child: string, parent: string): boolean {
  const c = pathComponents(child);
  const p = pathComponents(parent);
  return p.length <= c.length && p.every((part, i) => c[i] === part);
}

class CanonicalError extends Error {
  constructor(readonly code: 'invalid_params' | 'path_outside_root', message: string) {
    super(message);
  }
}

const errnoOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

/**
 * The real path of `abs` (absolute, lexically normalised): the longest existing ancestor goes through
 * realpath, the components that do not exist yet are appended. A dangling symlink (which realpath
 * cannot resolve but a write would follow) is resolved by hand, so a link to a not-yet-existing file
 * outside the root is caught too.
 */
function realPathOf(abs: string, hops: number): string {
  const missing: string[] = [];
  let current = abs;
  for (;;) {
    // lstat first, which answers "missing" without throwing: most protected paths do not exist, and
    // an exception from realpath costs more than both system calls.
    const stat = lstatOrError(current);
    if (stat !== undefined) {
      try {
        return path.join(realpathSync.native(current), ...missing.reverse());
      } catch (err) {
        const code = errnoOf(err);
        if (code === 'ELOOP') throw new CanonicalError('invalid_params', `${abs} has a symlink loop`);
        if (code === 'ENAMETOOLONG') throw new CanonicalError('invalid_params', `${abs} is too long for the filesystem`);
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new CanonicalError('invalid_params', `${current} cannot be resolved: ${code ?? String(err)}`);
      }
      if (stat !== null && stat.isSymbolicLink()) {
        if (hops >= MAX_LINK_HOPS) throw new CanonicalError('invalid_params', `${abs} follows more than ${MAX_LINK_HOPS} symlinks`);
        // A relative link target is relative to the link's real directory, as the kernel reads it.
        const dir = realPathOf(path.dirname(current), hops + 1);
        const target = path.resolve(dir, readlinkSync(current));
        return path.join(realPathOf(target, hops + 1), ...missing.reverse());
      }
    }
    const parent = path.dirname(current);
    if (parent === current) return path.join(current, ...missing.reverse());
    missing.push(path.basename(current));
    current = parent;
  }
}

/**
 * The real path of `abs` when it lies lexically below `root`, which is canonical: each component
 * below the root is lstat'ed, walking down; if none is a symlink, `abs` is already real (the
 * components past the first missing one are appended as they are, as `realPathOf` does). Undefined
 * when a component is a symlink or cannot be lstat'ed, for `realPathOf` to decide. Same answer as
 * `realPathOf`, in one system call per component below the root instead of a realpath of the whole
 * path from `/` (the root's own components were resolved once already).
 */
function realPathBelow(abs: string, root: string, lstat: Lstat): string | undefined {
  if (!isWithin(abs, root)) return undefined;
  const below = pathComponents(abs);
  let current = root;
  for (let i = pathComponents(root).length; i < below.length; i++) {
    current = path.join(current, below[i] as string);
    const stat = lstat(current);
    if (stat === undefined) return abs; // missing: so is everything below it
    if (stat === null || stat.isSymbolicLink()) return undefined;
  }
  return abs;
}

/** `lstatOrError`, or a decision's memo of it (`createPathResolver`). */
type Lstat = (p: string) => Stats | null | undefined;

/**
 * The entry at `p` without following it: undefined when nothing is there; null when lstat itself
 * fails (ENOTDIR, EACCES, ...), which leaves the verdict to realpath and its error.
 */
function lstatOrError(p: string): Stats | null | undefined {
  try {
    return lstatSync(p, { throwIfNoEntry: false });
  } catch {
    return null;
  }
}

function checkText(p: string, what: string): string {
  if (p === '') throw new CanonicalError('invalid_params', `${what} is empty`);
  const control = CONTROL_CHARACTERS.exec(p);
  if (control) {
    const hex = control[0].charCodeAt(0).toString(16).padStart(4, '0');
    throw new CanonicalError('invalid_params', `${what} contains a control character (U+${hex}) at index ${control.index}: ${JSON.stringify(p)}`);
  }
  const nfc = p.normalize('NFC');
  if (Buffer.byteLength(nfc) > MAX_PATH_BYTES) throw new CanonicalError('invalid_params', `${what} is longer than ${MAX_PATH_BYTES} bytes`);
  return nfc;
}

function checkLengths(p: string, what: string): void {
  if (Buffer.byteLength(p) > MAX_PATH_BYTES) throw new CanonicalError('invalid_params', `${what} resolves to a path longer than ${MAX_PATH_BYTES} bytes`);
  const long = pathComponents(p).find((c) => Buffer.byteLength(c) > MAX_COMPONENT_BYTES);
  if (long !== undefined) throw new CanonicalError('invalid_params', `${what} has a component longer than ${MAX_COMPONENT_BYTES} bytes: ${JSON.stringify(long.slice(0, 40))}…`);
}

/** The real path of the project root; a root that cannot be resolved holds nothing. */
function canonicalRoot(projectRoot: string): string {
  try {
    return realpathSync.native(path.resolve(projectRoot));
  } catch (err) {
    throw new CanonicalError('path_outside_root', `the project root ${projectRoot} cannot be resolved (${errnoOf(err) ?? String(err)}), so no path is inside it`);
  }
}

function canonicalize(requested: string, projectRoot: string, what: string, knownRoot?: string, lstat: Lstat = lstatOrError): string {
  const text = checkText(requested, what);
  const root = knownRoot ?? canonicalRoot(projectRoot);
  // Literal text: no percent-decoding, no `~` expansion. `..` is resolved lexically here, then symlinks
  // below; the caller must act on the returned path, never on the string it was given.
  const lexical = path.resolve(root, text);
  checkLengths(lexical, what);
  const real = realPathBelow(lexical, root, lstat) ?? realPathOf(lexical, 0);
  checkLengths(real, what);
  if (!isWithin(real, root)) {
    const via = real === lexical ? '' : ' through a symlink';
    throw new CanonicalError('path_outside_root', `${what} ${JSON.stringify(requested)} resolves${via} to ${real}, outside the project root ${root}`);
  }
  return real;
}

/**
 * The canonical absolute form of a path an agent asked for, or why it is refused: `invalid_params` for
 * NUL or control characters, over-long paths and symlink loops; `path_outside_root` when the result
 * is not inside the canonical project root by whole components. Unicode is normalised to NFC; the text
 * is taken literally (`%2e%2e` is a file name); relative paths are relative to the root; symlinks of
 * every existing ancestor are resolved, and of the final component too when it is a link (the handler
 * then refuses to write through it). The final component need not exist.
 */
export async function canonicalizeTarget(requested: string, projectRoot: string): Promise<CanonicalPathResult> {
  return canonicalResult(() => canonicalize(requested, projectRoot, 'path'));
}

function canonicalResult(resolve: () => string): CanonicalPathResult {
  try {
    return { ok: true, path: resolve() };
  } catch (err) {
    if (err instanceof CanonicalError) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
}

/**
 * The canonical form of a policy entry (spec path, jurisdiction path, protected path, the literal
 * prefix of an approval glob), resolved exactly like a target. The project root is runtime
 * configuration, not part of the policy, so this runs at check time rather than at load: an entry that
 * resolves outside the root (`path_outside_root`) can contain no target and matches nothing; one that
 * cannot be resolved at all (`invalid_params`: a symlink loop, an unreadable directory) is left to the
 * caller, which must decide in the fail-closed direction (path-rules.ts).
 */
export function canonicalizePolicyPath(entry: string, projectRoot: string): CanonicalPathResult {
  return canonicalResult(() => canonicalize(entry, projectRoot, 'policy path'));
}

/** The canonical project root, or null when it does not resolve. */
export function canonicalProjectRoot(projectRoot: string): string | null {
  try {
    return canonicalRoot(projectRoot);
  } catch (err) {
    if (err instanceof CanonicalError) return null;
    throw err;
  }
}

/**
 * One decision's view of the filesystem: the project root, the target and each policy entry are
 * resolved once per decision however many checks ask (a request's spec, jurisdiction, protected and
 * approval checks share entries and the root), and the components they walk through below the root
 * are lstat'ed once (the target and `docs/legal/` both pass `docs`). Nothing is reused by a later
 * decision, so a symlink changed between two requests is seen by the second.
 */
export interface PathResolver {
  readonly projectRoot: string;
  /** The canonical project root, or null when it does not resolve. */
  root(): string | null;
  /** `canonicalizeTarget` for this decision. */
  target(requested: string): CanonicalPathResult;
  /** `canonicalizePolicyPath` for this decision. */
  policyPath(entry: string): CanonicalPathResult;
}

export function createPathResolver(projectRoot: string): PathResolver {
  let root: string | null | undefined;
  const entries = new Map<string, CanonicalPathResult>();
  const stats = new Map<string, Stats | null | undefined>();
  const lstat: Lstat = (p) => {
    if (!stats.has(p)) stats.set(p, lstatOrError(p));
    return stats.get(p);
  };
  const knownRoot = () => resolver.root() ?? undefined;
  const resolver: PathResolver = {
    projectRoot,
    root: () => (root === undefined ? (root = canonicalProjectRoot(projectRoot)) : root),
    target: (requested) => canonicalResult(() => canonicalize(requested, projectRoot, 'path', knownRoot(), lstat)),
    policyPath(entry) {
      let resolved = entries.get(entry);
      if (!resolved) {
        resolved = canonicalResult(() => canonicalize(entry, projectRoot, 'policy path', knownRoot(), lstat));
        entries.set(entry, resolved);
      }
      return resolved;
    },
  };
  return resolver;
}
