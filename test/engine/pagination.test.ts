import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../../src/engine/errors.ts';
import { isTimeIdKey, PAGE_SIZE_DEFAULT, parsePageArgs, toConnection } from '../../src/engine/pagination.ts';

const rows = Array.from({ length: 7 }, (_, i) => ({ at: `2026-01-0${7 - i}T00:00:00.000Z`, id: `id${i}` }));
const keyOf = (r: { at: string; id: string }) => [r.at, r.id] as [string, string];

function page(first: number | null, after: string | null, scope: unknown = { filter: 'a' }) {
  const request = parsePageArgs({ first, after }, scope, isTimeIdKey);
  const start = request.after ? rows.findIndex((r) => r.id === request.after?.[1]) + 1 : 0;
  return toConnection(request, rows.slice(start, start + request.limit + 1), keyOf, rows.length);
}

function expectBadInput(run: () => unknown, field: string) {
  try {
    run();
    expect.unreachable('expected BAD_USER_INPUT');
  } catch (err) {
    expect(err).toBeInstanceOf(GatehouseError);
    expect((err as GatehouseError).code).toBe('BAD_USER_INPUT');
    expect((err as GatehouseError<'BAD_USER_INPUT'>).details.field).toBe(field);
  }
}

describe('pagination', () => {
  it('defaults to 50 and walks every row exactly once with cursors', () => {
    expect(parsePageArgs({}, {}, isTimeIdKey).limit).toBe(PAGE_SIZE_DEFAULT);
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i += 1) {
      const connection = page(3, after);
      seen.push(...connection.edges.map((e) => e.node.id));
      expect(connection.totalCount).toBe(7);
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(rows.map((r) => r.id));
  });

  it('refuses first above 200 or below 0, naming the field', () => {
    expectBadInput(() => parsePageArgs({ first: 201 }, {}, isTimeIdKey), 'first');
    expectBadInput(() => parsePageArgs({ first: -1 }, {}, isTimeIdKey), 'first');
    expect(parsePageArgs({ first: 200 }, {}, isTimeIdKey).limit).toBe(200);
  });

  it('refuses a cursor issued for a different filter', () => {
    const cursor = page(2, null, { filter: 'a' }).pageInfo.endCursor;
    expectBadInput(() => page(2, cursor, { filter: 'b' }), 'after');
    expect(page(2, cursor, { filter: 'a' }).edges[0]?.node.id).toBe('id2');
  });

  it('binds cursors to the filter regardless of key order', () => {
    const cursor = page(2, null, { a: 1, b: 2 }).pageInfo.endCursor;
    expect(page(2, cursor, { b: 2, a: 1 }).edges[0]?.node.id).toBe('id2');
  });

  it('refuses a cursor it did not issue', () => {
    expectBadInput(() => parsePageArgs({ after: 'not-a-cursor' }, {}, isTimeIdKey), 'after');
    const forged = Buffer.from(JSON.stringify({ b: 'x', k: 42 })).toString('base64url');
    expectBadInput(() => parsePageArgs({ after: forged }, {}, isTimeIdKey), 'after');
  });
});
