import { afterEach, describe, expect, it, vi } from 'vitest';
import { authAttempt, failures, replay, shippedRule } from './test-harness.ts';
import { validAccountAfterFailuresLifter } from './valid-account-after-failures.ts';

// R3004: a success after five or more failures from its source or for its account within fifteen minutes.
const r3004 = () => shippedRule(validAccountAfterFailuresLifter, 'R3004');

afterEach(() => {
  vi.useRealTimers();
});

describe('credential-lifter/valid-account-after-failures', () => {
  it('fires on a success from a source that failed five times within fifteen minutes', async () => {
    const tries = ['root', 'admin', 'oracle', 'test', 'ubuntu'].map((username, i) => authAttempt({ minute: i, username }));
    const success = authAttempt({ minute: 6, username: 'ubuntu', success: true });
    const fired = await replay(validAccountAfterFailuresLifter, [r3004()], [...tries, success]);
    expect(fired).toEqual([
      {
        sourceId: success.sourceId,
        ruleId: 'R3004',
        evidence: {
          srcIp: '203.0.113.7',
          username: 'ubuntu',
          service: 'ssh',
          matchedBy: ['src_ip'],
          failuresFromSource: 5,
          failuresForAccount: 1,
          minFailures: 5,
          windowSeconds: 900,
          firstAt: '2025-03-01T12:00:00.000Z',
          lastAt: '2025-03-01T12:04:00.000Z',
          usernamesTriedFromSource: ['root', 'admin', 'oracle', 'test', 'ubuntu'],
          sourcesTriedForAccount: ['203.0.113.7'],
        },
      },
    ]);
  });

  it('fires on a success for an account that failed from many sources', async () => {
    const tries = Array.from({ length: 6 }, (_, i) => authAttempt({ minute: i, username: 'deploy', srcIp: `192.0.2.${i}` }));
    const success = authAttempt({ minute: 7, username: 'deploy', srcIp: '192.0.2.99', success: true });
    const fired = await replay(validAccountAfterFailuresLifter, [r3004()], [...tries, success]);
    expect(fired).toHaveLength(1);
    expect(fired[0]?.evidence).toMatchObject({ matchedBy: ['username'], failuresFromSource: 0, failuresForAccount: 6 });
  });

  it('does not fire when the failures are older than the window', async () => {
    const events = [...failures(8, 0, 0.5), authAttempt({ minute: 30, success: true })];
    expect(await replay(validAccountAfterFailuresLifter, [r3004()], events)).toEqual([]);
  });

  it('does not fire on a success after fewer failures than required', async () => {
    const events = [...failures(4, 0, 0.5), authAttempt({ minute: 3, success: true })];
    expect(await replay(validAccountAfterFailuresLifter, [r3004()], events)).toEqual([]);
  });

  it('fires once, not again on the next success without new failures', async () => {
    const events = [...failures(5, 0, 0.5), authAttempt({ minute: 3, success: true }), authAttempt({ minute: 4, success: true })];
    const fired = await replay(validAccountAfterFailuresLifter, [r3004()], events);
    expect(fired.map((f) => f.sourceId)).toEqual([events[5]?.sourceId]);
  });

  it('does not count failures whose event time is after the success', async () => {
    const success = authAttempt({ minute: 1, success: true });
    const later = failures(5, 2, 0.5);
    expect(await replay(validAccountAfterFailuresLifter, [r3004()], [...later, success])).toEqual([]);
  });

  it('gives the same findings when the same events are replayed at a different wall-clock pace', async () => {
    const events = [
      ...failures(6, 0, 1, { srcIp: '192.0.2.10' }),
      authAttempt({ minute: 7, srcIp: '192.0.2.10', success: true }),
      ...failures(5, 20, 1, { username: 'svc' }),
      authAttempt({ minute: 26, username: 'svc', srcIp: '192.0.2.77', success: true }),
    ];
    const fast = await replay(validAccountAfterFailuresLifter, [r3004()], events);
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2019-01-01T00:00:00Z'));
    const slow = await replay(validAccountAfterFailuresLifter, [r3004()], events, () => vi.advanceTimersByTime(3_600_000));
    expect(fast).toHaveLength(2);
    expect(slow).toEqual(fast);
  });
});
