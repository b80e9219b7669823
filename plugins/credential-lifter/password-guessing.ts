import { defineLifter, type LifterFinding } from '../../src/plugins/api.ts';
import { toAuthAttempt } from './auth-attempt.ts';
import { AUTH_WINDOW_PARAM_NAMES, readAuthWindowParams, watchesService, type AuthWindowParams } from './auth-params.ts';
import { createBurstDetector } from './burst-detector.ts';
import { distinctSample, spanEvidence } from './evidence.ts';
import { keyOf } from './keyed-window.ts';
import { createParamReader } from './params.ts';
import { createPerRuleState } from './rule-state.ts';

/** Rule kind owned by {@link passwordGuessingLifter}. */
export const PASSWORD_GUESSING_KIND = 'lifter:password-guessing';

export interface PasswordGuessingParams extends AuthWindowParams {
  /** Failed logins for one account on one service, from any sources, that make a finding. */
  readonly threshold: number;
}

/** Parses `threshold` (integer ≥ 2, required) and the shared window parameters. */
export function parsePasswordGuessingParams(params: Readonly<Record<string, unknown>>, kind: string): PasswordGuessingParams {
  const reader = createParamReader(kind, params, ['threshold', ...AUTH_WINDOW_PARAM_NAMES]);
  const threshold = reader.integer('threshold', { min: 2, max: 100_000 });
  const window = readAuthWindowParams(reader);
  reader.done();
  return { threshold, ...window };
}

/**
 * Password guessing (T1110.001): at least `threshold` failed logins for one `username` on one
 * `service` inside `window_minutes`, from any number of sources. Keying on the account rather than
 * the source is what catches a guessing campaign spread over a botnet, where no single source is
 * loud enough for the brute-force rule. Fires once per account and service per window.
 */
export const passwordGuessingLifter = defineLifter<PasswordGuessingParams>({
  id: 'credential-lifter/password-guessing',
  description: 'Many failed logins for one account on one service, from any sources, within a window (T1110.001).',
  handles: ['auth_attempt'],
  owns: [PASSWORD_GUESSING_KIND],
  parseParams: parsePasswordGuessingParams,
  create() {
    const detectors = createPerRuleState((p: PasswordGuessingParams) =>
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
          const run = detectors.forRule(rule).observe(keyOf(attempt.username, attempt.service), event, attempt.srcIp);
          if (run === null) continue;
          const sources = distinctSample(run.map((o) => o.value));
          findings.push({
            ruleId: rule.ruleId,
            evidence: {
              username: attempt.username,
              service: attempt.service,
              failures: run.length,
              threshold: rule.params.threshold,
              ...spanEvidence(run, rule.params.windowMinutes),
              distinctSources: sources.count,
              sources: sources.sample,
            },
          });
        }
        return findings;
      },
    };
  },
});
