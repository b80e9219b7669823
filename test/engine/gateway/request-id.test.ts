import { describe, expect, it } from 'vitest';
import { compareRequestIds, createRequestIdGenerator, formatRequestId, parseRequestId } from '../../../src/engine/gateway/request-id.ts';

/** A clock the test moves by hand. */
function clock(iso: string) {
  let t = new Date(iso).getTime();
  return { now: () => new Date(t), set: (next: string) => void (t = new Date(next).getTime()) };
}

describe('request ids', () => {
  it('formats the UTC second and a three-digit counter from 001', () => {
    const c = clock('2024-05-06T07:08:09.123Z');
    const ids = createRequestIdGenerator({ now: c.now });
    expect(ids.next()).toBe('req_20240506_070809_001');
    expect(ids.next()).toBe('req_20240506_070809_002');
    c.set('2024-05-06T07:08:09.999Z');
    expect(ids.next()).toBe('req_20240506_070809_003');
    c.set('2024-12-31T23:59:59.000+00:00');
    expect(ids.next()).toBe('req_20241231_235959_001');
  });

  it('uses UTC whatever the local time zone of the clock reading', () => {
    const ids = createRequestIdGenerator({ now: () => new Date('2024-05-06T09:08:09+02:00') });
    expect(ids.next()).toBe('req_20240506_070809_001');
  });

  it('widens the counter past 999 in one second instead of wrapping', () => {
    const ids = createRequestIdGenerator({ now: () => new Date('2024-05-06T07:08:09Z') });
    const issued = Array.from({ length: 1001 }, () => ids.next());
    expect(issued[998]).toBe('req_20240506_070809_999');
    expect(issued[999]).toBe('req_20240506_070809_1000');
    expect(issued[1000]).toBe('req_20240506_070809_1001');
    expect(new Set(issued).size).toBe(1001);
    expect([...issued].reverse().sort(compareRequestIds)).toEqual(issued);
  });

  it('stays on the last second and keeps counting when the clock goes backwards', () => {
    const c = clock('2024-05-06T07:08:09Z');
    const ids = createRequestIdGenerator({ now: c.now });
    expect(ids.next()).toBe('req_20240506_070809_001');
    c.set('2024-05-06T07:08:05Z');
    expect(ids.next()).toBe('req_20240506_070809_002');
    expect(ids.next()).toBe('req_20240506_070809_003');
    c.set('2024-05-06T07:08:10Z');
    expect(ids.next()).toBe('req_20240506_070810_001');
  });

  it('continues after the last id issued before a restart, even with the clock behind it', () => {
    const before = createRequestIdGenerator({ now: () => new Date('2024-05-06T07:08:09Z') });
    let last = '';
    for (let i = 0; i < 1000; i += 1) last = before.next();
    expect(last).toBe('req_20240506_070809_1000');

    const sameSecond = createRequestIdGenerator({ now: () => new Date('2024-05-06T07:08:09.900Z'), lastIssued: last });
    expect(sameSecond.next()).toBe('req_20240506_070809_1001');
    const clockBehind = createRequestIdGenerator({ now: () => new Date('2024-05-06T07:00:00Z'), lastIssued: last });
    expect(clockBehind.next()).toBe('req_20240506_070809_1001');
    const later = createRequestIdGenerator({ now: () => new Date('2024-05-06T07:08:10Z'), lastIssued: last });
    expect(later.next()).toBe('req_20240506_070810_001');
  });

  it('orders ids by second and counter as numbers, not as text', () => {
    expect('req_20240506_070809_1000' < 'req_20240506_070809_999').toBe(true);
    expect(compareRequestIds('req_20240506_070809_1000', 'req_20240506_070809_999')).toBeGreaterThan(0);
    expect(compareRequestIds('req_20240506_070809_999', 'req_20240506_070810_001')).toBeLessThan(0);
    expect(compareRequestIds('req_20240506_070809_002', 'req_20240506_070809_002')).toBe(0);
  });

  it('parses an id into its second and counter and formats it back', () => {
    expect(parseRequestId('req_20240506_070809_042')).toEqual({ second: Date.UTC(2024, 4, 6, 7, 8, 9) / 1000, counter: 42 });
    expect(formatRequestId(parseRequestId('req_20240506_070809_1234'))).toBe('req_20240506_070809_1234');
  });

  it('refuses ids that are malformed, name no real time or are not in their one canonical form', () => {
    expect(() => parseRequestId('req_2024050_070809_001')).toThrow('request id must look like req_YYYYMMDD_HHMMSS_NNN, got "req_2024050_070809_001"');
    expect(() => parseRequestId('req_20240231_070809_001')).toThrow('request id "req_20240231_070809_001" names no real UTC date and time');
    expect(() => parseRequestId('req_20240506_250809_001')).toThrow('names no real UTC date and time');
    expect(() => parseRequestId('req_20240506_070809_000')).toThrow('the counter starts at 001');
    expect(() => parseRequestId('req_20240506_070809_01')).toThrow('must look like');
    expect(() => parseRequestId('req_20240506_070809_0999')).toThrow('must look like');
    expect(() => createRequestIdGenerator({ lastIssued: 'nope' })).toThrow('got "nope"');
  });
});
