import { defineLifter, type LifterFinding } from '../../src/plugins/api.ts';
import { toAuthAttempt, type AuthAttempt } from './auth-attempt.ts';
import { AUTH_WINDOW_PARAM_NAMES, readAuthWindowParams, watchesService, type AuthWindowParams } from './auth-params.ts';
import { distinctSample, spanEvidence } from './evidence.ts';
import { createKeyedWindow, keyOf, type Observation } from './keyed-window.ts';
import { createParamReader } from './params.ts';
import { createPerRuleState } from './rule-state.ts';

/** Rule kind owned by {@link validAccountAfterFailuresLifter}. */
export const VALID_ACCOUNT_AFTER_FAILURES_KIND = 'lifter:valid-account-after-failures';

export interface ValidAccountAfterFailuresParams extends AuthWindowParams {
  /** Failures that must precede the success, from its source or for its account, inside one window. */
  readonly minFailures: number;
}

/** Parses `min_failures` (integer ≥ 1, required) and the shared window parameters. */
export function parseValidAccountAfterFailuresParams(
  params: Readonly<Record<string, unknown>>,
  kind: string,
): ValidAccountAfterFailuresParams {
  const reader = createParamReader(kind, params, ['min_failures', ...AUTH_WINDOW_PARAM_NAMES]);
  const minFailures = reader.integer('min_failures', { min: 1, max: 100_000 });
  const window = readAuthWindowParams(reader);
  reader.done();
  return { minFailures, ...window };
}

/**
 * Valid account used after failures (T1078): a successful login whose source, or whose account, had
 * at least `min_failures` failed logins on the same service inside the `window_minutes` before it —
 * the moment a guess worked. Fires on the success event; afterwards both keys start counting from
 * zero, so a second login by the now-known account does not fire again without new failures.
 *
 * Failures are counted by event time up to and including the success's time. A failure that arrives
 * after its success was processed cannot change that decision: the finding would have to land on
 * the success event, which has already been tagged.
 */
export const validAccountAfterFailuresLifter = defineLifter<ValidAccountAfterFailuresParams>({
  id: 'credential-lifter/valid-account-after-failures',
  description: 'A successful login from a source, or for an account, that just failed repeatedly (T1078).',
  handles: ['auth_attempt'],
  owns: [VALID_ACCOUNT_AFTER_FAILURES_KIND],
  parseParams: parseValidAccountAfterFailuresParams,
  create() {
    const windows = createPerRuleState((p: ValidAccountAfterFailuresParams) =>
      createKeyedWindow<AuthAttempt>({
        windowMs: p.windowMinutes * 60_000,
        maxKeys: p.maxTrackedKeys,
        // Only the newest `min_failures` failures before a success can decide it.
        maxPerKey: 2 * p.minFailures,
      }),
    );
    return {
      process({ event, rules }) {
        const attempt = toAuthAttempt(event);
        if (attempt === null) return [];
        const at = event.occurredAt;
        const bySource = keyOf('source', attempt.srcIp, attempt.service);
        const byAccount = keyOf('account', attempt.username, attempt.service);
        const findings: LifterFinding[] = [];
        for (const rule of rules) {
          if (!watchesService(rule.params, attempt.service)) continue;
          const window = windows.forRule(rule);
          if (!attempt.success) {
            window.record(bySource, at, event.sourceId, attempt);
            window.record(byAccount, at, event.sourceId, attempt);
            continue;
          }
          const before = (key: string) => window.peek(key, at).filter((o) => o.at <= at.getTime());
          const fromSource = before(bySource);
          const forAccount = before(byAccount);
          const { minFailures } = rule.params;
          const matchedBy = [...(fromSource.length >= minFailures ? ['src_ip'] : []), ...(forAccount.length >= minFailures ? ['username'] : [])];
          if (matchedBy.length === 0) continue;
          window.forget(bySource);
          window.forget(byAccount);
          findings.push({ ruleId: rule.ruleId, evidence: evidenceFor(attempt, matchedBy, fromSource, forAccount, rule.params) });
        }
        return findings;
      },
    };
  },
});

function evidenceFor(
  success: AuthAttempt,
  matchedBy: readonly string[],
  fromSource: readonly Observation<AuthAttempt>[],
  forAccount: readonly Observation<AuthAttempt>[],
  params: ValidAccountAfterFailuresParams,
): Record<string, unknown> {
  const all = [...fromSource, ...forAccount].sort((a, b) => a.at - b.at);
  const usernames = distinctSample(fromSource.map((o) => o.value.username));
  const sources = distinctSample(forAccount.map((o) => o.value.srcIp));
  return {
    srcIp: success.srcIp,
    username: success.username,
    service: success.service,
    matchedBy,
    failuresFromSource: fromSource.length,
    failuresForAccount: forAccount.length,
    minFailures: params.minFailures,
    ...spanEvidence(all, params.windowMinutes),
    usernamesTriedFromSource: usernames.sample,
    sourcesTriedForAccount: sources.sample,
  };
}
