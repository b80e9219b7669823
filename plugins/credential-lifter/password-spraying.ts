import { defineLifter, type LifterFinding } from '../../src/plugins/api.ts';
import { toAuthAttempt } from './auth-attempt.ts';
import { AUTH_WINDOW_PARAM_NAMES, readAuthWindowParams, watchesService, type AuthWindowParams } from './auth-params.ts';
import { createBurstDetector } from './burst-detector.ts';
import { distinctInOrder, distinctSample, spanEvidence } from './evidence.ts';
import { keyOf, type Observation } from './keyed-window.ts';
import { createParamReader } from './params.ts';
import { createPerRuleState } from './rule-state.ts';

/** Rule kind owned by {@link passwordSprayingLifter}. */
export const PASSWORD_SPRAYING_KIND = 'lifter:password-spraying';

export interface PasswordSprayingParams extends AuthWindowParams {
  /** Distinct usernames that must fail from one source on one service inside one window. */
  readonly minDistinctUsernames: number;
}

/** Parses `min_distinct_usernames` (integer ≥ 2, required) and the shared window parameters. */
export function parsePasswordSprayingParams(params: Readonly<Record<string, unknown>>, kind: string): PasswordSprayingParams {
  const reader = createParamReader(kind, params, ['min_distinct_usernames', ...AUTH_WINDOW_PARAM_NAMES]);
  const minDistinctUsernames = reader.integer('min_distinct_usernames', { min: 2, max: 100_000 });
  const window = readAuthWindowParams(reader);
  reader.done();
  return { minDistinctUsernames, ...window };
}

/** Keeps the newest failure per username: all a distinct-username count needs, at most one per account. */
function newestPerUsername(run: readonly Observation<string>[]): readonly Observation<string>[] {
  const newest = new Map<string, Observation<string>>();
  for (const o of run) newest.set(o.value, o);
  return [...newest.values()].sort((a, b) => a.at - b.at);
}

/**
 * Password spraying (T1110.003): one `src_ip` fails to log in to one `service` as at least
 * `min_distinct_usernames` different accounts inside `window_minutes`. Counting distinct accounts,
 * not failures, is the point: a spray tries few passwords against many accounts to stay under
 * per-account lockout. Fires once per source and service per window.
 */
export const passwordSprayingLifter = defineLifter<PasswordSprayingParams>({
  id: 'credential-lifter/password-spraying',
  description: 'One source fails logins for many distinct accounts on one service within a window (T1110.003).',
  handles: ['auth_attempt'],
  owns: [PASSWORD_SPRAYING_KIND],
  parseParams: parsePasswordSprayingParams,
  create() {
    const detectors = createPerRuleState((p: PasswordSprayingParams) =>
      createBurstDetector<string>({
        windowMinutes: p.windowMinutes,
        maxTrackedKeys: p.maxTrackedKeys,
        // Compaction keeps one failure per username and fewer than the threshold survive unfired.
        maxPerKey: 4 * p.minDistinctUsernames,
        compact: newestPerUsername,
        accept: (run) => distinctInOrder(run.map((o) => o.value)).length >= p.minDistinctUsernames,
      }),
    );
    return {
      process({ event, rules }) {
        const attempt = toAuthAttempt(event);
        if (attempt === null || attempt.success) return [];
        const findings: LifterFinding[] = [];
        for (const rule of rules) {
          if (!watchesService(rule.params, attempt.service)) continue;
          const run = detectors.forRule(rule).observe(keyOf(attempt.srcIp, attempt.service), event, attempt.username);
          if (run === null) continue;
          const usernames = distinctSample(run.map((o) => o.value));
          findings.push({
            ruleId: rule.ruleId,
            evidence: {
              srcIp: attempt.srcIp,
              service: attempt.service,
              distinctUsernames: usernames.count,
              minDistinctUsernames: rule.params.minDistinctUsernames,
              failures: run.length,
              ...spanEvidence(run, rule.params.windowMinutes),
              usernames: usernames.sample,
            },
          });
        }
        return findings;
      },
    };
  },
});
