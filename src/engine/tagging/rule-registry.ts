import { createHash } from 'node:crypto';
import type { LifterDefinition, PluginEvent } from '../../plugins/api.ts';
import type { AttackCatalogue } from '../attack/catalogue.ts';
import type { LifterFailure } from './lifter-runner.ts';
import { loadRules, type RuleLoadError } from './load-rules.ts';
import { createRuleEngine, type RuleEngine } from './rule-engine.ts';
import type { Rule, RuleOwner } from './rule.ts';
import type { RuleStateLookup } from './rule-state.ts';

/** A rule as the API lists it: its running definition plus what went wrong with it, if anything. */
export interface RuleEntry {
  rule: Rule;
  owner: RuleOwner | null;
  /** The newest edit of this rule's file failed to load; the last good version keeps running. */
  loadError: string | null;
  /** Loaded but not running (orphaned lifter kind, parameters refused). */
  problem: string | null;
  fires: number;
}

export interface ReloadReport {
  loaded: number;
  /** Files that failed; those with a last good version keep it running. */
  errors: RuleLoadError[];
  added: string[];
  changed: string[];
  removed: string[];
  problems: { ruleId: string; message: string }[];
}

export interface RuleRegistry {
  reload(): Promise<ReloadReport>;
  engine(): RuleEngine;
  entries(): RuleEntry[];
  entry(ruleId: string): RuleEntry | undefined;
  /** Files that failed and have no last good version (nothing of theirs runs). */
  brokenFiles(): RuleLoadError[];
  /** SHA-256 over the running rule files (path and content), for run snapshots and drift hints. */
  packHash(): string;
  lastReport(): ReloadReport | null;
}

/**
 * The running rule pack (DESIGN §6): loads `rulesDir`, builds a fresh engine on every reload, and
 * keeps the last good version of a file whose new content fails (reported as the rule's loadError).
 * A deleted file's rule stops running on the next reload.
 */
export function createRuleRegistry(deps: {
  rulesDir: string;
  catalogue: AttackCatalogue;
  lifters: () => readonly LifterDefinition<unknown>[];
  states: RuleStateLookup;
  confidenceFloor: () => number;
  onLifterFailure?(lifterId: string, failure: LifterFailure, message: string, event: PluginEvent): void;
}): RuleRegistry {
  let goodByPath = new Map<string, Rule>();
  let errorByPath = new Map<string, RuleLoadError>();
  let current: RuleEngine = createRuleEngine({ rules: [], lifters: [], states: deps.states, confidenceFloor: deps.confidenceFloor });
  const pastFires = new Map<string, number>();
  let report: ReloadReport | null = null;

  const running = () => [...goodByPath.values()];

  return {
    async reload() {
      const pack = await loadRules(deps.rulesDir, deps.catalogue);
      const next = new Map(pack.rules.map((r) => [r.sourcePath, r]));
      const errors = new Map(pack.errors.map((e) => [e.path, e]));
      for (const [path] of errors) {
        const lastGood = goodByPath.get(path);
        if (lastGood && !next.has(path)) next.set(path, lastGood);
      }
      const before = new Map(running().map((r) => [r.ruleId, r]));
      const after = new Map([...next.values()].map((r) => [r.ruleId, r]));
      for (const [ruleId, fires] of current.fires) pastFires.set(ruleId, (pastFires.get(ruleId) ?? 0) + fires);
      goodByPath = new Map([...next].sort(([a], [b]) => a.localeCompare(b)));
      errorByPath = errors;
      current = createRuleEngine({
        rules: running(),
        lifters: deps.lifters(),
        states: deps.states,
        confidenceFloor: deps.confidenceFloor,
        onLifterFailure: deps.onLifterFailure,
      });
      report = {
        loaded: after.size,
        errors: pack.errors,
        added: [...after.keys()].filter((id) => !before.has(id)),
        changed: [...after.keys()].filter((id) => before.has(id) && before.get(id)?.sha256 !== after.get(id)?.sha256),
        removed: [...before.keys()].filter((id) => !after.has(id)),
        problems: current.problems.map((p) => ({ ruleId: p.ruleId, message: p.message })),
      };
      return report;
    },
    engine: () => current,
    entries() {
      const problems = new Map(current.problems.map((p) => [p.ruleId, p.message]));
      return running().map((rule) => {
        const error = errorByPath.get(rule.sourcePath);
        return {
          rule,
          owner: current.owners.get(rule.ruleId) ?? null,
          loadError: error ? error.problems.join('; ') : null,
          problem: problems.get(rule.ruleId) ?? null,
          fires: (pastFires.get(rule.ruleId) ?? 0) + (current.fires.get(rule.ruleId) ?? 0),
        };
      });
    },
    entry(ruleId) {
      return this.entries().find((e) => e.rule.ruleId === ruleId);
    },
    brokenFiles() {
      return [...errorByPath.values()].filter((e) => !goodByPath.has(e.path));
    },
    packHash() {
      const hash = createHash('sha256');
      for (const rule of running()) hash.update(`${rule.sourcePath}\u0000${rule.sha256}\n`);
      return hash.digest('hex');
    },
    lastReport: () => report,
  };
}
