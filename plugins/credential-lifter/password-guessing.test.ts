import { describe, expect, it } from 'vitest';
import { passwordGuessingLifter } from './password-guessing.ts';
import { authAttempt, replay, shippedRule } from './test-harness.ts';

// R3002: ten failures for one account on one service within ten minutes, from any sources.
const r3002 = () => shippedRule(passwordGuessingLifter, 'R3002');

/** One failure per source, `stepMinutes` apart, all for `username`. */
const distributed = (count: number, stepMinutes: number, username = 'admin') =>
  Array.from({ length: count }, (_, i) => authAttempt({ minute: i * stepMinutes, srcIp: `192.0.2.${i + 1}`, username }));

describe('credential-lifter/password-guessing', () => {
  it('fires once when ten sources each fail once for one account within ten minutes', async () => {
    const events = distributed(14, 0.5);
    const fired = await replay(passwordGuessingLifter, [r3002()], events);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      sourceId: events[9]?.sourceId,
      ruleId: 'R3002',
      evidence: { username: 'admin', service: 'ssh', failures: 10, threshold: 10, windowSeconds: 600, distinctSources: 10 },
    });
    expect((fired[0]?.evidence?.sources as string[]).slice(0, 2)).toEqual(['192.0.2.1', '192.0.2.2']);
  });

  it('does not fire when ten failures are spread over ten different accounts', async () => {
    const events = Array.from({ length: 10 }, (_, i) => authAttempt({ minute: i * 0.1, username: `user${i}` }));
    expect(await replay(passwordGuessingLifter, [r3002()], events)).toEqual([]);
  });

  it('does not fire when the failures for one account are spread over two hours', async () => {
    expect(await replay(passwordGuessingLifter, [r3002()], distributed(12, 10))).toEqual([]);
  });

  it('counts the same account on two services separately', async () => {
    const events = [
      ...distributed(5, 0.1),
      ...Array.from({ length: 5 }, (_, i) => authAttempt({ minute: 1 + i * 0.1, username: 'admin', service: 'http-basic' })),
    ];
    expect(await replay(passwordGuessingLifter, [r3002()], events)).toEqual([]);
  });
});
