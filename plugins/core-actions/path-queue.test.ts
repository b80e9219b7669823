import { describe, expect, it } from 'vitest';
import { createPathQueue } from './path-queue.ts';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createPathQueue', () => {
  it('runs tasks for one key one at a time, in the order they arrived', async () => {
    const queue = createPathQueue();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const task = (name: string) => async () => {
      running += 1;
      most = Math.max(most, running);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running -= 1;
      return name;
    };
    expect(await Promise.all(['a', 'b', 'c'].map((name) => queue.run('/p', task(name))))).toEqual(['a', 'b', 'c']);
    expect(most).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('runs tasks for different keys side by side', async () => {
    const queue = createPathQueue();
    let running = 0;
    let most = 0;
    const task = async () => {
      running += 1;
      most = Math.max(most, running);
      await tick();
      running -= 1;
    };
    await Promise.all([queue.run('/a', task), queue.run('/b', task)]);
    expect(most).toBe(2);
  });

  it('keeps going after a task fails, and passes the failure to its caller only', async () => {
    const queue = createPathQueue();
    const failed = queue.run('/p', () => Promise.reject(new Error('disk full')));
    const next = queue.run('/p', async () => 'ran');
    await expect(failed).rejects.toThrow('disk full');
    await expect(next).resolves.toBe('ran');
  });

  it('forgets a key once its last task has settled', async () => {
    const queue = createPathQueue();
    const done = Promise.all([queue.run('/a', async () => 1), queue.run('/b', async () => 2), queue.run('/a', async () => 3)]);
    expect(queue.size).toBe(2);
    await done;
    await tick();
    expect(queue.size).toBe(0);
  });
});
