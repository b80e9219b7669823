import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PluginEvent } from '../../src/plugins/api.ts';
import { beaconingLifter } from './beaconing.ts';
import { intervalStats } from './interval-stats.ts';
import { httpRequest, replay, sessionEvent, shippedRule } from './test-harness.ts';

// R3101: ≥ 6 sessions per attacker within 60 min, interval CV ≤ 0.1, mean ≥ 10 s.
// R3102: ≥ 8 HTTP requests per attacker within 60 min, interval CV ≤ 0.1, mean ≥ 5 s.
const r3101 = (overrides: Record<string, unknown> = {}) => shippedRule(beaconingLifter, 'R3101', overrides);
const r3102 = () => shippedRule(beaconingLifter, 'R3102');

/** Sessions every `period` minutes with a small deterministic jitter (±3 s). */
const beacon = (count: number, period: number, attackerId = 'attacker-1', from = 0): PluginEvent[] =>
  Array.from({ length: count }, (_, i) => sessionEvent({ minute: from + i * period + ((i * 7) % 5 - 2) * 0.025, attackerId }));

afterEach(() => {
  vi.useRealTimers();
});

describe('session-lifter/beaconing', () => {
  it('fires once when an attacker opens a session every five minutes, on the sixth session', async () => {
    const events = beacon(10, 5);
    const fired = await replay(beaconingLifter, [r3101()], events);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      sourceId: events[5]?.sourceId,
      ruleId: 'R3101',
      evidence: { keyBy: 'attacker', key: 'attacker-1', sourceKind: 'session', events: 6, maxJitterCv: 0.1, windowSeconds: 3600, firstAt: '2025-03-01T11:59:57.000Z' },
    });
    expect(fired[0]?.evidence?.meanIntervalSeconds).toBeCloseTo(300, -1);
    expect(fired[0]?.evidence?.intervalCv).toBeLessThanOrEqual(0.1);
  });

  it('does not fire for sessions at irregular times', async () => {
    const events = [0, 1, 7, 9, 20, 22, 31, 45, 46, 58].map((minute) => sessionEvent({ minute }));
    expect(await replay(beaconingLifter, [r3101()], events)).toEqual([]);
  });

  it('does not fire for a machine-speed burst faster than min_interval_seconds', async () => {
    const events = Array.from({ length: 20 }, (_, i) => sessionEvent({ minute: i / 60 }));
    expect(await replay(beaconingLifter, [r3101()], events)).toEqual([]);
  });

  it('does not fire when the same cadence is slower than the window allows', async () => {
    expect(await replay(beaconingLifter, [r3101()], beacon(10, 15))).toEqual([]);
  });

  it('fires again only after a quiet window while the beacon goes on', async () => {
    const fired = await replay(beaconingLifter, [r3101()], beacon(40, 5));
    // Fires on the sixth session (about 25 min), is quiet for an hour, then needs six more: 85 … 110 min.
    expect(fired.map((f) => f.evidence?.lastAt)).toEqual(['2025-03-01T12:24:57.000Z', '2025-03-01T13:50:03.000Z']);
  });

  it('keeps attackers and source kinds apart, and skips events without the key', async () => {
    const interleaved = [...beacon(3, 5, 'a'), ...beacon(3, 5, 'b', 15)];
    const http = Array.from({ length: 8 }, (_, i) => httpRequest({ minute: i * 0.5 }));
    const anonymous = Array.from({ length: 8 }, (_, i) => sessionEvent({ minute: i * 5, attackerId: null }));
    const rules = [r3101(), r3102()];
    const fired = await replay(beaconingLifter, rules, [...interleaved, ...anonymous, ...http].sort((x, y) => x.occurredAt.getTime() - y.occurredAt.getTime()));
    expect(fired.map((f) => [f.ruleId, f.evidence?.sourceKind, f.evidence?.events])).toEqual([['R3102', 'http_request', 8]]);
  });

  it('fires once when the sessions of a beacon arrive out of order', async () => {
    const events = beacon(6, 5);
    const shuffled = [3, 0, 5, 1, 4, 2].map((i) => events[i]).filter((e) => e !== undefined);
    const fired = await replay(beaconingLifter, [r3101()], shuffled);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ sourceId: events[2]?.sourceId, evidence: { events: 6 } });
  });

  it('counts a session ingested twice only once', async () => {
    const events = beacon(5, 5);
    expect(await replay(beaconingLifter, [r3101()], [...events, ...events])).toEqual([]);
  });

  it('gives the same findings when the same events are replayed at a different wall-clock pace', async () => {
    const events = [...beacon(12, 4, 'x'), ...beacon(12, 2, 'y', 1)].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    const fast = await replay(beaconingLifter, [r3101()], events);
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2001-09-09T01:46:40Z'));
    const slow = await replay(beaconingLifter, [r3101()], events, () => vi.advanceTimersByTime(123_456));
    expect(fast).toHaveLength(2);
    expect(slow).toEqual(fast);
  });

  it('forgets the least recently seen attacker when it tracks more than max_tracked_keys', async () => {
    const events = [...beacon(5, 5, 'a'), sessionEvent({ minute: 21, attackerId: 'b' }), sessionEvent({ minute: 22, attackerId: 'c' }), ...beacon(1, 5, 'a', 25)];
    expect(await replay(beaconingLifter, [r3101({ max_tracked_keys: 2 })], events)).toEqual([]);
    expect(await replay(beaconingLifter, [r3101({ max_tracked_keys: 3 })], events)).toHaveLength(1);
  });
});

describe('interval statistics', () => {
  it('gives a zero coefficient of variation for a perfect metronome and none for fewer than three events', () => {
    expect(intervalStats([0, 1000, 2000, 3000])).toEqual({ events: 4, meanMs: 1000, cv: 0 });
    expect(intervalStats([0, 1000])).toBeNull();
    expect(intervalStats([5, 5, 5])).toBeNull();
  });

  it('measures jitter as the standard deviation of the intervals over their mean', () => {
    // Intervals 900 and 1100: mean 1000, population standard deviation 100.
    expect(intervalStats([0, 900, 2000])?.cv).toBeCloseTo(0.1, 10);
  });
});
