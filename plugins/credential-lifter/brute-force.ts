import { defineLifter, type LifterFinding } from '../../src/plugins/api.ts';
import { toAuthAttempt } from './auth-attempt.ts';
import { AUTH_WINDOW_PARAM_NAMES, readAuthWindowParams, watchesService, type AuthWindowParams } from './auth-params.ts';
import { createBurstDetector } from './burst-detector.ts';
import { distinctSample, spanEvidence } from './evidence.ts';
import { keyOf } from './keyed-window.ts';
import { createParamReader } from './params.ts';
import { createPerRuleState } from './rule-state.ts';

/** Rule kind owned by {@link bruteForceLifter}. */
export const BRUTE_FORCE_KIND = 'lifter:brute-force';

export interface BruteForceParams extends AuthWindowParams {
  /** Failed logins from one source to one service, inside one window, that make a finding. */
  readonly threshold: number;
}

/** Parses `threshold` (integer ≥ 2, required) and the shared window parameters. */
export function parseBruteForceParams(params: Readonly<Record<string, unknown>>, kind: string): BruteForceParams {
  const reader = createParamReader(kind, params, ['threshold', ...AUTH_WINDOW_PARAM_NAMES]);
  const threshold = reader.integer('threshold', { min: 2, max: 100_000 });
  const window = readAuthWindowParams(reader);
  reader.done();
  return { threshold, ...window };
}

/**
 * Brute force: at least `threshold` failed logins from one `src_ip` to one `service` inside
 * `window_minutes` of event time. Fires on the failure that completes the run, once per source and
 * service per window.
 *
 * Keyed on the source, this lifter cannot tell guessing one password list against one account from
 * trying one password against many, so its rule emits the parent technique T1110. The account-keyed
 * `password-guessing` and the username-counting `password-spraying` lifters emit the sub-techniques;
 * the evidence here still says how many distinct usernames were tried.
 */
export const bruteForceLifter = defineLifter<BruteForceParams>({
  id: 'credential-lifter/brute-force',
  description: 'Many failed logins from one source to one service within a window (T1110).',
  handles: ['auth_attempt'],
  owns: [BRUTE_FORCE_KIND],
  parseParams: parseBruteForceParams,
  create() {
    const detectors = createPerRuleState((p: BruteForceParams) =>
      createBurstDetector<string>({
        windowMinutes: p.windowMinutes,
        maxTrackedKeys: p.maxTrackedKeys,
        maxPerKey: 2 * p.threshold,
        accept: (run) => run.length >= p.threshold,
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
              failures: run.length,
              threshold: rule.params.threshold,
              ...spanEvidence(run, rule.params.windowMinutes),
              distinctUsernames: usernames.count,
              usernames: usernames.sample,
            },
          });
        }
        return findings;
      },
    };
  },
});
