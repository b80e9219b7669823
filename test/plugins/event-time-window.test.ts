import { describe, expect, it } from 'vitest';
import { createEventTimeWindow } from '../../src/plugins/api.ts';

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

describe('createEventTimeWindow', () => {
  it('keeps only entries inside the window, oldest first, and places late events by event time', () => {
    const w = createEventTimeWindow<string>({ windowMs: 1000 });
    w.add('k', at(0), 'a');
    w.add('k', at(500), 'c');
    expect(w.add('k', at(400), 'b').map((e) => e.value)).toEqual(['a', 'b', 'c']);
    expect(w.get('k', at(1200)).map((e) => e.value)).toEqual(['b', 'c']);
    expect(w.get('k', at(1450)).map((e) => e.value)).toEqual(['c']);
  });

  it('holds at most maxEntriesPerKey entries for one key, dropping the oldest', () => {
    const w = createEventTimeWindow<number>({ windowMs: 60_000, maxEntriesPerKey: 5 });
    let list: readonly { value: number }[] = [];
    for (let i = 0; i < 20; i += 1) list = w.add('noisy', at(i), i);
    expect(list.map((e) => e.value)).toEqual([15, 16, 17, 18, 19]);
    // An entry older than everything held is the one dropped.
    expect(w.add('noisy', at(-1), -1).map((e) => e.value)).toEqual([15, 16, 17, 18, 19]);
  });

  it('caps one key at 1,000 entries by default', () => {
    const w = createEventTimeWindow<number>({ windowMs: 3_600_000 });
    for (let i = 0; i < 5000; i += 1) w.add('noisy', at(i), i);
    const held = w.get('noisy', at(5000));
    expect(held).toHaveLength(1000);
    expect(held[0]?.value).toBe(4000);
  });

  it('past maxKeys forgets the least recently touched tenth of the keys, and keeps the rest', () => {
    const w = createEventTimeWindow<number>({ windowMs: 60_000, maxKeys: 100 });
    for (let i = 0; i < 100; i += 1) w.add(`k${i}`, at(i), i);
    w.add('k0', at(100), 100); // touched: now the most recent
    w.add('new', at(101), 101);
    // 101 keys: the one over the limit and a tenth of 100 go, k1…k11.
    expect(w.size).toBe(90);
    expect(w.get('k0', at(102))).toHaveLength(2);
    expect(w.get('k1', at(102))).toHaveLength(0);
    expect(w.get('k10', at(102))).toHaveLength(0);
    expect(w.get('k11', at(102))).toHaveLength(0);
    expect(w.get('k12', at(102))).toHaveLength(1);
    expect(w.get('new', at(102))).toHaveLength(1);
  });

  it('refuses a maxEntriesPerKey that is not a positive integer', () => {
    expect(() => createEventTimeWindow({ windowMs: 1000, maxEntriesPerKey: 0 })).toThrow('maxEntriesPerKey must be a positive integer, got 0');
  });
});
