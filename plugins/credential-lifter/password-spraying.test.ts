import { describe, expect, it } from 'vitest';
import { passwordSprayingLifter } from './password-spraying.ts';
import { authAttempt, failures, replay, shippedRule } from './test-harness.ts';

// R3003: one source fails as five or more distinct accounts on one service within ten minutes.
const r3003 = () => shippedRule(passwordSprayingLifter, 'R3003');

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'];
const spray = (stepMinutes: number, users: readonly string[] = USERS, srcIp = '198.51.100.9') =>
  users.map((username, i) => authAttempt({ minute: i * stepMinutes, username, srcIp }));

describe('credential-lifter/password-spraying', () => {
  it('fires once when one source fails as five different accounts within ten minutes', async () => {
    const events = spray(1);
    const fired = await replay(passwordSprayingLifter, [r3003()], events);
    expect(fired).toEqual([
      {
        sourceId: events[4]?.sourceId,
        ruleId: 'R3003',
        evidence: {
          srcIp: '198.51.100.9',
          service: 'ssh',
          distinctUsernames: 5,
          minDistinctUsernames: 5,
          failures: 5,
          windowSeconds: 600,
          firstAt: '2025-03-01T12:00:00.000Z',
          lastAt: '2025-03-01T12:04:00.000Z',
          usernames: ['alice', 'bob', 'carol', 'dave', 'erin'],
        },
      },
    ]);
  });

  it('does not fire when one source fails the same account many times', async () => {
    expect(await replay(passwordSprayingLifter, [r3003()], failures(50, 0, 0.1, { username: 'root' }))).toEqual([]);
  });

  it('does not fire when the accounts are tried over an hour', async () => {
    expect(await replay(passwordSprayingLifter, [r3003()], spray(8))).toEqual([]);
  });

  it('does not fire when five sources each try one account', async () => {
    const events = USERS.slice(0, 5).map((username, i) => authAttempt({ minute: i * 0.1, username, srcIp: `192.0.2.${i}` }));
    expect(await replay(passwordSprayingLifter, [r3003()], events)).toEqual([]);
  });

  it('still counts distinct accounts correctly after one account was retried a thousand times', async () => {
    const retries = failures(1000, 0, 0.005, { username: 'root', srcIp: '198.51.100.9' });
    const events = [...retries, ...spray(0.1, ['alice', 'bob', 'carol', 'dave']).map((e, i) => ({ ...e, occurredAt: new Date(e.occurredAt.getTime() + 6 * 60_000 + i) }))];
    const fired = await replay(passwordSprayingLifter, [r3003()], events);
    expect(fired).toHaveLength(1);
    expect(fired[0]?.evidence).toMatchObject({ distinctUsernames: 5, usernames: ['root', 'alice', 'bob', 'carol', 'dave'] });
    // Compaction kept one failure per account rather than the thousand retries.
    expect(fired[0]?.evidence?.failures).toBeLessThanOrEqual(20);
  });
});
