import { afterEach, describe, expect, it, vi } from 'vitest';
import { bruteForceLifter } from './brute-force.ts';
import { authAttempt, failures, replay, shippedRule } from './test-harness.ts';

// R3001: ten failures from one source to one service within five minutes.
const r3001 = (overrides: Record<string, unknown> = {}) => shippedRule(bruteForceLifter, 'R3001', overrides);

afterEach(() => {
  vi.useRealTimers();
});

describe('credential-lifter/brute-force', () => {
  it('fires once when ten failures from one source arrive within five minutes', async () => {
    const events = failures(15, 0, 0.25, { srcIp: '198.51.100.4' });
    const fired = await replay(bruteForceLifter, [r3001()], events);
    expect(fired).toEqual([
      {
        sourceId: events[9]?.sourceId,
        ruleId: 'R3001',
        evidence: {
          srcIp: '198.51.100.4',
          service: 'ssh',
          failures: 10,
          threshold: 10,
          windowSeconds: 300,
          firstAt: '2025-03-01T12:00:00.000Z',
          lastAt: '2025-03-01T12:02:15.000Z',
          distinctUsernames: 1,
          usernames: ['root'],
        },
      },
    ]);
  });

  it('does not fire when the same failures are spread over an hour', async () => {
    expect(await replay(bruteForceLifter, [r3001()], failures(15, 0, 4))).toEqual([]);
  });

  it('does not fire for ten failures exactly five minutes apart from first to last', async () => {
    // The window is half-open like createEventTimeWindow's: a failure exactly one window old is out.
    expect(await replay(bruteForceLifter, [r3001()], failures(10, 0, 5 / 9))).toEqual([]);
  });

  it('fires again only after a quiet window when the attack goes on', async () => {
    // One failure every 15 s for 20 minutes: fires at 2:15, quiet until 7:15, then needs ten more.
    const events = failures(80, 0, 0.25);
    const fired = await replay(bruteForceLifter, [r3001()], events);
    expect(fired.map((f) => f.evidence?.firstAt)).toEqual([
      '2025-03-01T12:00:00.000Z',
      '2025-03-01T12:07:15.000Z',
      '2025-03-01T12:14:30.000Z',
    ]);
  });

  it('counts each source and each service separately', async () => {
    const events = [
      ...failures(5, 0, 0.1, { srcIp: '198.51.100.1' }),
      ...failures(5, 0, 0.1, { srcIp: '198.51.100.2' }),
      ...failures(5, 1, 0.1, { srcIp: '198.51.100.1', service: 'ftp' }),
    ];
    expect(await replay(bruteForceLifter, [r3001()], events)).toEqual([]);
  });

  it('counts an event ingested twice only once', async () => {
    const once = failures(9, 0, 0.1);
    expect(await replay(bruteForceLifter, [r3001()], [...once, ...once])).toEqual([]);
  });

  it('ignores successful logins and services the rule does not watch', async () => {
    const events = [...failures(10, 0, 0.1, { success: true }), ...failures(10, 1, 0.1, { service: 'ftp' })];
    expect(await replay(bruteForceLifter, [r3001({ services: ['ssh'] })], events)).toEqual([]);
  });

  it('keeps separate windows for two rules of the same kind', async () => {
    const strict = { ...r3001({ threshold: 3 }), ruleId: 'R3090' };
    const events = failures(10, 0, 0.1);
    const fired = await replay(bruteForceLifter, [r3001(), strict], events);
    expect(fired.map((f) => [f.ruleId, f.sourceId])).toEqual([
      ['R3090', events[2]?.sourceId],
      ['R3001', events[9]?.sourceId],
    ]);
  });

  it('gives the same findings when the same events are replayed at a different wall-clock pace', async () => {
    const events = [...failures(12, 0, 0.2, { srcIp: '192.0.2.1' }), ...failures(30, 3, 0.1, { srcIp: '192.0.2.2', username: 'admin' })];
    const fast = await replay(bruteForceLifter, [r3001()], events);
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2031-07-04T00:00:00Z'));
    const slow = await replay(bruteForceLifter, [r3001()], events, () => vi.advanceTimersByTime(17 * 60_000));
    expect(fast).toHaveLength(2);
    expect(slow).toEqual(fast);
  });

  it('fires once when the failures of one burst arrive out of order', async () => {
    const events = failures(10, 0, 0.3);
    const shuffled = [5, 2, 9, 0, 7, 1, 8, 3, 6, 4].map((i) => events[i]).filter((e) => e !== undefined);
    const fired = await replay(bruteForceLifter, [r3001()], shuffled);
    expect(fired).toHaveLength(1);
    expect(fired[0]?.sourceId).toBe(events[4]?.sourceId);
    expect(fired[0]?.evidence).toMatchObject({ failures: 10, firstAt: '2025-03-01T12:00:00.000Z', lastAt: '2025-03-01T12:02:42.000Z' });
  });

  it('forgets the least recently seen source when it tracks more than max_tracked_keys', async () => {
    const events = [
      ...failures(9, 0, 0.1, { srcIp: '198.51.100.1' }),
      authAttempt({ minute: 1, srcIp: '198.51.100.2' }),
      authAttempt({ minute: 1.1, srcIp: '198.51.100.3' }),
      authAttempt({ minute: 1.2, srcIp: '198.51.100.1' }),
    ];
    expect(await replay(bruteForceLifter, [r3001({ max_tracked_keys: 2 })], events)).toEqual([]);
    expect(await replay(bruteForceLifter, [r3001({ max_tracked_keys: 3 })], events)).toHaveLength(1);
  });
});
