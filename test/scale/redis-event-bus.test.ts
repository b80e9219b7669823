import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisEventBus, type RedisEventBus } from '../../src/server/redis-event-bus.ts';

/** The Redis `EventBus` against a real Redis (issue 6 §2); two buses on one prefix stand for two instances. */
const URL = 'redis://127.0.0.1:6379';
const PREFIX = `gh-test-${randomUUID().slice(0, 8)}:`;

interface TestTopics extends Record<string, unknown> {
  tagged: { seq: number; at: Date; tags: { id: string; firstSeen: Date }[] };
  other: { seq: number };
}

let admin: Redis;
const buses: RedisEventBus<TestTopics>[] = [];

async function bus(keyPrefix = PREFIX, onError?: (err: unknown) => void): Promise<RedisEventBus<TestTopics>> {
  const created = await createRedisEventBus<TestTopics>({ url: URL, keyPrefix, defaultQueueLimit: 100, ...(onError ? { onError } : {}) });
  buses.push(created);
  return created;
}

/** SUBSCRIBE travels on its own connection; wait until Redis counts `connections` subscribers on the channel. */
async function untilSubscribed(channel: string, connections: number): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const reply = (await admin.pubsub('NUMSUB', channel)) as [string, number];
    if (Number(reply[1]) === connections) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`channel ${channel} never reached ${connections} subscribed connections`);
}

/** The id of the one connection named `name` (the bus names its connections after its prefix). */
async function clientId(name: string): Promise<string> {
  const lines = String(await admin.client('LIST')).split('\n');
  const ids = lines.filter((line) => line.includes(` name=${name} `)).map((line) => line.match(/^id=(\d+)/)?.[1]);
  if (ids.length !== 1 || !ids[0]) throw new Error(`expected one connection named ${name}, found ${ids.length}`);
  return ids[0];
}

async function until(condition: () => boolean, what: string): Promise<void> {
  // A short step: the publish connection is down for only ioredis's first retry delay (50 ms).
  for (let i = 0; i < 2500; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const event = (seq: number): TestTopics['tagged'] => ({
  seq,
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)),
  tags: [{ id: `tag-${seq}`, firstSeen: new Date(Date.UTC(2025, 11, 31)) }],
});

beforeAll(() => {
  admin = new Redis(URL);
});

afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
});

afterAll(async () => {
  await admin.quit();
});

describe('redis event bus', () => {
  it('delivers a publish on A once to each subscriber on A and on B, with Dates intact', async () => {
    const [a, b] = [await bus(), await bus()];
    const onA = a.subscribe('tagged');
    const onB = b.subscribe('tagged');
    await untilSubscribed(`${PREFIX}tagged`, 2);

    a.publish('tagged', event(1));
    a.publish('tagged', event(2));

    for (const stream of [onA, onB]) {
      const first = await stream.next();
      expect(first.value).toEqual(event(1));
      expect(first.value?.at).toBeInstanceOf(Date);
      expect(first.value?.tags[0]?.firstSeen).toBeInstanceOf(Date);
      // The next message is the second publish, not a second copy of the first.
      expect((await stream.next()).value?.seq).toBe(2);
    }
    expect([a.subscriberCount(), b.subscriberCount()]).toEqual([1, 1]);
    expect(a.ready() && b.ready()).toBe(true);
  });

  it('keeps buses on different prefixes apart', async () => {
    const otherPrefix = `gh-test-${randomUUID().slice(0, 8)}:`;
    const [a, elsewhere] = [await bus(), await bus(otherPrefix)];
    const stream = elsewhere.subscribe('tagged');
    await untilSubscribed(`${otherPrefix}tagged`, 1);

    a.publish('tagged', event(1));
    elsewhere.publish('tagged', event(2));

    expect((await stream.next()).value?.seq).toBe(2);
  });

  it('ends only the subscriber that falls behind; the others on that instance keep receiving', async () => {
    const [a, b] = [await bus(), await bus()];
    const slow = b.subscribe('tagged', { queueLimit: 2 });
    const fast = b.subscribe('tagged');
    await untilSubscribed(`${PREFIX}tagged`, 1);
    expect(b.subscriberCount()).toBe(2);

    for (let seq = 1; seq <= 5; seq += 1) a.publish('tagged', event(seq));
    const seen: number[] = [];
    for (let i = 0; i < 5; i += 1) seen.push((await fast.next()).value?.seq ?? -1);

    expect(seen).toEqual([1, 2, 3, 4, 5]);
    await expect(slow.next()).rejects.toMatchObject({ code: 'SLOW_CONSUMER', details: { queueLimit: 2 } });
    expect(b.subscriberCount()).toBe(1);
    a.publish('tagged', event(6));
    expect((await fast.next()).value?.seq).toBe(6);
  });

  it('ends a stream when its signal aborts and unsubscribes the channel when nobody is left', async () => {
    const a = await bus();
    const controller = new AbortController();
    const stream = a.subscribe('other', { signal: controller.signal });
    await untilSubscribed(`${PREFIX}other`, 1);
    const pending = stream.next();

    controller.abort();

    expect(await pending).toEqual({ value: undefined, done: true });
    expect(a.subscriberCount()).toBe(0);
    await untilSubscribed(`${PREFIX}other`, 0);
  });

  it('ends every stream on close, and a stream opened after close is already ended', async () => {
    const a = await bus();
    const streams = [a.subscribe('tagged'), a.subscribe('other')];
    const pending = streams.map((s) => s.next());

    await a.close();

    expect(await Promise.all(pending)).toEqual([
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
    expect(a.ready()).toBe(false);
    expect(a.subscriberCount()).toBe(0);
    expect(await a.subscribe('tagged').next()).toEqual({ value: undefined, done: true });
    a.publish('tagged', event(1)); // a no-op, not a throw
  });

  it('calls onResync after the subscribe connection is killed and reconnects, and delivery resumes', async () => {
    const prefix = `gh-test-${randomUUID().slice(0, 8)}:`;
    const a = await bus(prefix);
    let resyncs = 0;
    a.onResync(() => (resyncs += 1));
    const stream = a.subscribe('tagged');
    await untilSubscribed(`${prefix}tagged`, 1);

    await admin.client('KILL', 'ID', await clientId(`gatehouse-events:${prefix}sub`));

    await until(() => resyncs === 1, 'the resync listener');
    expect(a.ready()).toBe(true);
    a.publish('tagged', event(7));
    expect((await stream.next()).value).toEqual(event(7));
    expect(resyncs).toBe(1);
  });

  it('sends a publish made while the publish connection is down once it reconnects, without a resync', async () => {
    const prefix = `gh-test-${randomUUID().slice(0, 8)}:`;
    const a = await bus(prefix);
    let resyncs = 0;
    a.onResync(() => (resyncs += 1));
    const stream = a.subscribe('tagged');
    await untilSubscribed(`${prefix}tagged`, 1);

    await admin.client('KILL', 'ID', await clientId(`gatehouse-events:${prefix}pub`));
    await until(() => !a.ready(), 'the publish connection to drop');
    a.publish('tagged', event(8));

    expect((await stream.next()).value).toEqual(event(8));
    expect(a.ready()).toBe(true);
    expect(resyncs).toBe(0);
  });

  it('reports a message it cannot decode and keeps the stream open', async () => {
    const errors: unknown[] = [];
    const a = await bus(PREFIX, (err) => errors.push(err));
    const stream = a.subscribe('other');
    await untilSubscribed(`${PREFIX}other`, 1);

    await admin.publish(`${PREFIX}other`, '{"$date": 1}');
    a.publish('other', { seq: 1 });

    expect((await stream.next()).value).toEqual({ seq: 1 });
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain("a '$date' tag must be the only key");
  });

  it('reports a payload it cannot encode without throwing from publish', async () => {
    const errors: unknown[] = [];
    const a = await bus(PREFIX, (err) => errors.push(err));
    a.publish('other', { seq: 1n as unknown as number });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TypeError);
  });

  it('rejects with the address, password hidden, when Redis cannot be reached', async () => {
    const errors: unknown[] = [];
    await expect(
      createRedisEventBus<TestTopics>({ url: 'redis://:secret@127.0.0.1:1', keyPrefix: PREFIX, defaultQueueLimit: 10, onError: (err) => errors.push(err) }),
    ).rejects.toThrow(/^redis event bus: cannot connect to redis:\/\/:\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect(errors).toEqual([]);
  });
});
