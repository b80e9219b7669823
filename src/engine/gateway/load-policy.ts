import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson } from '../canonical-json.ts';
import { createSerialLane } from '../serial-lane.ts';
import type { Policy } from './policy.ts';
import { parseApprovalsFile, parseJurisdictionsFile, parseProtectedFile, parseSpecsFile, type ParsedPolicyFile, type PolicyFileFormat } from './policy-parse.ts';
import { formatPolicyProblem, type PolicyProblem } from './policy-problem.ts';

/** A policy folder that did not load; `problems` lists every problem found, in every file. */
export class PolicyLoadError extends Error {
  override name = 'PolicyLoadError';
  constructor(
    readonly dir: string,
    readonly problems: PolicyProblem[],
  ) {
    super(`policy in ${dir} did not load:\n${problems.map((p) => `  ${formatPolicyProblem(p)}`).join('\n')}`);
  }
}

const KINDS = {
  specs: { required: true, names: ['specs.yaml', 'specs.yml', 'specs.json'] },
  jurisdictions: { required: true, names: ['jurisdictions.yaml', 'jurisdictions.yml', 'jurisdictions.json'] },
  protected: { required: false, names: ['protected.yaml', 'protected.yml', 'protected.json'] },
  approvals: { required: false, names: ['approvals.yaml', 'approvals.yml', 'approvals.json'] },
} as const;
type Kind = keyof typeof KINDS;

/** The one file present for each kind; two spellings of the same file, a missing required one, or a stray policy-looking file are problems. */
function pickFiles(names: readonly string[], problems: PolicyProblem[]): Partial<Record<Kind, string>> {
  const picked: Partial<Record<Kind, string>> = {};
  const known = new Set<string>(Object.values(KINDS).flatMap((k) => k.names));
  for (const [kind, { required, names: candidates }] of Object.entries(KINDS) as [Kind, (typeof KINDS)[Kind]][]) {
    const present = candidates.filter((n) => names.includes(n));
    if (present.length > 1) problems.push({ file: present.join(', '), field: null, message: `both define the ${kind}; keep one file` });
    else if (present[0]) picked[kind] = present[0];
    else if (required) problems.push({ file: candidates[0], field: null, message: `is missing; a policy needs ${candidates.join(', ').replace(/, ([^,]+)$/, ' or $1')}` });
  }
  // A misspelt file (`approval.yaml`) would otherwise silently mean "no approval rules".
  for (const n of names) {
    if (/\.(ya?ml|json)$/.test(n) && !n.startsWith('.') && !known.has(n)) {
      problems.push({ file: n, field: null, message: `is not a policy file; expected ${Object.keys(KINDS).join(', ')} (.yaml, .yml or .json)` });
    }
  }
  return picked;
}

const formatOf = (file: string): PolicyFileFormat => (file.endsWith('.json') ? 'json' : 'yaml');

/**
 * Loads the policy folder (DESIGN §7, issue #4 §1): specs and jurisdictions are required, protected
 * paths and approval rules optional (absent means none). Every file is parsed before anything is
 * returned, and any problem anywhere throws one `PolicyLoadError` listing them all, so a caller never
 * sees half a policy. `hash` is SHA-256 over the canonical JSON of the normalised policy, so the YAML
 * and the older JSON spelling of the same policy hash alike.
 */
export async function loadPolicy(dir: string, now: () => Date = () => new Date()): Promise<Policy> {
  const problems: PolicyProblem[] = [];
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PolicyLoadError(dir, [{ file: '.', field: null, message: code === 'ENOENT' ? `the policy folder ${dir} does not exist` : `the policy folder ${dir} cannot be read: ${code ?? String(err)}` }]);
  }
  const files = pickFiles(names, problems);

  async function parse<T>(kind: Kind, parser: (text: string, file: string, format: PolicyFileFormat) => ParsedPolicyFile<T>): Promise<T | undefined> {
    const file = files[kind];
    if (file === undefined) return undefined;
    let text: string;
    try {
      text = await readFile(path.join(dir, file), 'utf8');
    } catch (err) {
      problems.push({ file, field: null, message: `cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      return undefined;
    }
    const parsed = parser(text, file, formatOf(file));
    if (parsed.ok) return parsed.value;
    problems.push(...parsed.problems);
    return undefined;
  }

  const specs = await parse('specs', parseSpecsFile);
  const jurisdictions = await parse('jurisdictions', parseJurisdictionsFile);
  const protectedPaths = (await parse('protected', parseProtectedFile)) ?? [];
  const approvalRules = (await parse('approvals', parseApprovalsFile)) ?? [];
  if (problems.length > 0 || !specs || !jurisdictions) throw new PolicyLoadError(dir, problems);

  const hashed = { specs: Object.fromEntries(specs), jurisdictions: Object.fromEntries(jurisdictions), protectedPaths, approvalRules };
  return {
    specs,
    jurisdictions,
    protectedPaths,
    approvalRules,
    hash: createHash('sha256').update(canonicalJson(hashed)).digest('hex'),
    loadedAt: now(),
    files: Object.values(files).sort(),
  };
}

export type PolicyReload = { ok: true; policy: Policy; changed: boolean } | { ok: false; error: PolicyLoadError };

/** The subset of a logger the holder uses (pino's fits). */
export interface PolicyLog {
  info(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export interface PolicyHolder {
  /** The last policy that loaded completely, or null if none ever did (every request is then denied `policy_unavailable`). */
  current(): Policy | null;
  /** Why the latest load failed, or null when it succeeded. */
  lastError(): PolicyLoadError | null;
  /** Loads the folder again; on failure the current policy stays active. Reloads run one at a time, in call order. */
  reload(): Promise<PolicyReload>;
  /** Reloads (debounced) whenever a file in the folder changes; returns the function that stops watching. */
  watch(): () => void;
}

/**
 * Keeps the active policy (issue #4 §1, hot reload). A load either yields a whole new policy, swapped
 * in with one assignment, or changes nothing but `lastError` — a broken edit never leaves the gateway
 * half-configured, and an edit that is fixed later is picked up by the next reload.
 */
export function createPolicyHolder(options: { dir: string; onReload?(result: PolicyReload): void; log?: PolicyLog; debounceMs?: number; now?: () => Date }): PolicyHolder {
  let active: Policy | null = null;
  let error: PolicyLoadError | null = null;
  // Loads run one at a time, in the order asked for.
  const loads = createSerialLane();

  async function loadOnce(): Promise<PolicyReload> {
    let result: PolicyReload;
    try {
      const policy = await loadPolicy(options.dir, options.now);
      result = { ok: true, policy, changed: policy.hash !== active?.hash };
      active = policy;
      error = null;
      options.log?.info({ hash: policy.hash, files: policy.files, changed: result.changed }, 'policy loaded');
    } catch (err) {
      error = err instanceof PolicyLoadError ? err : new PolicyLoadError(options.dir, [{ file: '.', field: null, message: `could not be loaded: ${(err as Error).message}` }]);
      result = { ok: false, error };
      options.log?.error({ problems: error.problems.map(formatPolicyProblem), activeHash: active?.hash ?? null }, active ? 'policy reload failed; the last good policy stays active' : 'policy did not load; every request is denied');
    }
    try {
      options.onReload?.(result);
    } catch (err) {
      options.log?.error({ err }, 'policy onReload listener failed');
    }
    return result;
  }

  function reload(): Promise<PolicyReload> {
    return loads.run(loadOnce);
  }

  return {
    current: () => active,
    lastError: () => error,
    reload,
    watch() {
      const debounceMs = options.debounceMs ?? 250;
      let timer: NodeJS.Timeout | undefined;
      let watcher: FSWatcher | undefined;
      try {
        // Editors save in several steps (write a temp file, rename); the debounce waits for the last one.
        watcher = watch(options.dir, { persistent: false }, () => {
          clearTimeout(timer);
          timer = setTimeout(() => void reload(), debounceMs);
        });
        watcher.on('error', (err) => options.log?.error({ err }, 'policy watcher failed; edits need a restart or an explicit reload'));
      } catch (err) {
        options.log?.error({ err }, 'cannot watch the policy folder; edits need a restart or an explicit reload');
      }
      return () => {
        clearTimeout(timer);
        watcher?.close();
      };
    },
  };
}
