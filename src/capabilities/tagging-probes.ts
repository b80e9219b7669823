import type { ReadinessProbe } from '../engine/readiness/readiness.ts';
import type { RuleRegistry } from '../engine/tagging/rule-registry.ts';

/** `rules`: DEGRADED while a rule file fails to load or a loaded rule cannot run; each gets a hint. */
export function rulesProbe(rules: RuleRegistry): ReadinessProbe {
  return {
    name: 'rules',
    critical: false,
    check() {
      const entries = rules.entries();
      const hints = [
        ...rules.brokenFiles().map((e) => ({ code: 'rule_file_invalid', severity: 'WARNING' as const, message: `rules/${e.path}: ${e.problems.join('; ')}` })),
        ...entries.filter((e) => e.loadError).map((e) => ({ code: 'rule_edit_invalid', severity: 'WARNING' as const, message: `rules/${e.rule.sourcePath}: the newest edit failed (${e.loadError}); the previous version keeps running` })),
        ...entries.filter((e) => e.problem).map((e) => ({ code: 'rule_not_running', severity: 'WARNING' as const, message: `${e.rule.ruleId} (rules/${e.rule.sourcePath}): ${e.problem}` })),
      ];
      if (entries.length === 0) return { status: 'DEGRADED', reason: 'no rules are loaded', hints };
      return hints.length > 0 ? { status: 'DEGRADED', reason: `${hints.length} rule problem${hints.length === 1 ? '' : 's'}`, hints } : { status: 'UP' };
    },
  };
}

/** `tagger`: DEGRADED while lifters fail (counts since the rule pack was last loaded). */
export function taggerProbe(rules: RuleRegistry): ReadinessProbe {
  return {
    name: 'tagger',
    critical: false,
    check() {
      const failing = [...rules.engine().lifterFailures].filter(([, c]) => c.error + c.timeout > 0);
      if (failing.length === 0) return { status: 'UP' };
      return {
        status: 'DEGRADED',
        reason: `${failing.length} lifter${failing.length === 1 ? '' : 's'} failing`,
        hints: failing.map(([id, c]) => ({ code: 'lifter_failing', severity: 'WARNING' as const, message: `${id}: ${c.error} errors, ${c.timeout} timeouts since the rules were loaded` })),
      };
    },
  };
}
