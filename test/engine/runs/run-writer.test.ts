import { describe, expect, it } from 'vitest';
import type { RunWriteBatch } from '../../../src/engine/runs/run-store.ts';
import { createRunWriter } from '../../../src/engine/runs/run-writer.ts';
import type { RunLogEntry } from '../../../src/engine/runs/run-log.ts';

const entry = (seq: number): RunLogEntry => ({ runId: 'run_1', seq, timestamp: new Date(0), level: 'INFO', eventType: 'tick', message: `entry ${seq}`, payload: {} });

/** A store that records each batch and lets the test decide when (and whether) a write finishes. */
function gatedStore() {
  const batches: RunWriteBatch[] = [];
  const gates: { resolve(): void; reject(err: unknown): void }[] = [];
  return {
    batches,
    write: (batch: RunWriteBatch) => {
      batches.push(batch);
      return new Promise<void>((resolve, reject) => gates.push({ resolve, reject }));
    },
    finish: () => gates.shift()?.resolve(),
    fail: (err: unknown) => gates.shift()?.reject(err),
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('run writer', () => {
  it('stores what is added in one macrotask as one batch', async () => {
    const store = gatedStore();
    const writer = createRunWriter(store.write);
    const a = writer.add({ logs: [entry(1)] });
    const b = writer.add({ logs: [entry(2), entry(3)] });
    await turn();
    expect(store.batches.map((x) => x.logs.map((e) => e.seq))).toEqual([[1, 2, 3]]);
    store.finish();
    await Promise.all([a, b]);
  });

  it('gathers what arrives during a write into the next batch, and resolves in order', async () => {
    const store = gatedStore();
    const writer = createRunWriter(store.write);
    const resolved: number[] = [];
    void writer.add({ logs: [entry(1)] }).then(() => resolved.push(1));
    await turn();
    void writer.add({ logs: [entry(2)] }).then(() => resolved.push(2));
    void writer.add({ logs: [entry(3)] }).then(() => resolved.push(3));
    await turn();
    expect(store.batches).toHaveLength(1); // one write at a time
    store.finish();
    await turn();
    expect(resolved).toEqual([1]);
    expect(store.batches.map((x) => x.logs.map((e) => e.seq))).toEqual([[1], [2, 3]]);
    store.finish();
    await turn();
    expect(resolved).toEqual([1, 2, 3]);
  });

  it('rejects the failed batch, everything queued behind it and every later add', async () => {
    const store = gatedStore();
    const writer = createRunWriter(store.write);
    const first = writer.add({ logs: [entry(1)] });
    await turn();
    const queued = writer.add({ logs: [entry(2)] });
    store.fail(new Error('disk full'));
    await expect(first).rejects.toThrow('disk full');
    await expect(queued).rejects.toThrow('disk full');
    await expect(writer.add({ logs: [entry(3)] })).rejects.toThrow('disk full');
    expect(store.batches).toHaveLength(1); // nothing is stored after a hole
    expect((writer.failure as Error).message).toBe('disk full');
  });
});
