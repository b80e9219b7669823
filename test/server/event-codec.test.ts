import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent } from '../../src/server/event-codec.ts';

const roundTrip = (value: unknown) => decodeEvent(encodeEvent(value));
const AT = new Date('2026-03-04T05:06:07.089Z');

describe('event codec', () => {
  it('brings Dates back as Dates at any depth, in objects and arrays', () => {
    const payload = {
      at: AT,
      tags: [{ technique: 'T1059', firstSeen: new Date(0) }, { technique: 'T1078', firstSeen: AT }],
      nested: { deeper: { when: [AT, [new Date(1)]] } },
    };
    const decoded = roundTrip(payload) as typeof payload;
    expect(decoded).toEqual(payload);
    expect(decoded.at).toBeInstanceOf(Date);
    expect(decoded.tags[1]?.firstSeen.getTime()).toBe(AT.getTime());
    expect((decoded.nested.deeper.when[1] as Date[])[0]).toBeInstanceOf(Date);
  });

  it('round-trips a top-level Date', () => {
    expect(roundTrip(AT)).toEqual(AT);
    expect(encodeEvent(AT)).toBe('{"$date":"2026-03-04T05:06:07.089Z"}');
  });

  it('escapes payload keys that start with $, so a payload is never mistaken for a tag', () => {
    const payload = { $date: '2026-01-01T00:00:00.000Z', $$date: 1, $other: { $date: AT }, plain: '$date' };
    expect(JSON.parse(encodeEvent(payload))).toEqual({
      $$date: '2026-01-01T00:00:00.000Z',
      $$$date: 1,
      $$other: { $$date: { $date: AT.toISOString() } },
      plain: '$date',
    });
    const decoded = roundTrip(payload) as typeof payload;
    expect(decoded).toEqual(payload);
    expect(typeof decoded.$date).toBe('string');
    expect(decoded.$other.$date).toBeInstanceOf(Date);
  });

  it('keeps a __proto__ key as data when it unescapes an object', () => {
    const payload = JSON.parse('{"__proto__": {"polluted": true}, "$k": 1}') as Record<string, unknown>;
    const decoded = roundTrip(payload) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded).sort()).toEqual(['$k', '__proto__']);
  });

  it('passes null, numbers, strings and booleans through', () => {
    for (const value of [null, 0, -1.5, 1e21, 'text', '', true, false, [], {}]) expect(roundTrip(value)).toEqual(value);
    expect(roundTrip({ a: null, b: [null, 2] })).toEqual({ a: null, b: [null, 2] });
  });

  it('drops undefined-valued keys and writes null for undefined in arrays, as JSON does', () => {
    const decoded = roundTrip({ kept: 1, gone: undefined, list: [undefined, 1] });
    expect(decoded).toStrictEqual({ kept: 1, list: [null, 1] });
    expect(encodeEvent(undefined)).toBe('null');
  });

  it('follows JSON for invalid Dates, non-finite numbers and toJSON', () => {
    expect(roundTrip({ d: new Date(Number.NaN), n: Number.POSITIVE_INFINITY, j: { toJSON: () => 'custom' } })).toEqual({ d: null, n: null, j: 'custom' });
  });

  it('throws for what JSON cannot encode', () => {
    expect(() => encodeEvent({ n: 1n })).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeEvent(cyclic)).toThrow(TypeError);
  });

  it('rejects malformed tags and unescaped $ keys with a precise message', () => {
    expect(() => decodeEvent('{"$date": 5}')).toThrow(`event-codec: a '$date' tag must be the only key and hold an ISO date string, got {"$date":5}`);
    expect(() => decodeEvent('{"$date": "2026-01-01T00:00:00Z", "x": 1}')).toThrow(/must be the only key/);
    expect(() => decodeEvent('{"$date": "yesterday"}')).toThrow(`event-codec: '$date' must be an ISO date string, got "yesterday"`);
    expect(() => decodeEvent('{"$other": 1}')).toThrow(`event-codec: unexpected key '$other' on the wire`);
    expect(() => decodeEvent('not json')).toThrow(SyntaxError);
  });
});
