/**
 * The wire form of pub/sub payloads shared between instances (DESIGN §9, issue 6 §2). Topic payloads
 * carry `Date`s inside plain data, and a subscriber on another instance must get them back as
 * `Date`s, so this is JSON with one tag:
 *
 * - a `Date` becomes `{"$date": "<ISO 8601>"}` (an invalid Date becomes `null`, as `JSON.stringify`
 *   writes it);
 * - every object key that starts with `$` gains one more `$` on the wire (`$date` → `$$date`), so a
 *   payload's own `$`-keys can never be mistaken for a tag, and decoding strips exactly one;
 * - everything else is JSON's own behaviour: `undefined`, functions and symbols are dropped from
 *   objects and become `null` in arrays, `toJSON()` is honoured, non-finite numbers become `null`,
 *   a `bigint` or a cycle throws. A top-level `undefined` encodes as `null`, so the result is always
 *   a JSON text.
 */

const DATE_TAG = '$date';

export function encodeEvent(payload: unknown): string {
  // A replacer sees values after `toJSON` ran, so a Date arrives as a string; `this[key]` is the
  // value before that, which is how the Date is recognised.
  const text = JSON.stringify(payload, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? null : { [DATE_TAG]: raw.toISOString() };
    if (isPlainRecord(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
      // Object.fromEntries defines own properties, so a `__proto__` key stays a key.
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.startsWith('$') ? `$${k}` : k, v]));
    }
    return value;
  }) as string | undefined;
  return text ?? 'null';
}

/** Inverse of `encodeEvent`; throws on text that is not JSON or carries a malformed tag. */
export function decodeEvent(text: string): unknown {
  // The reviver runs bottom-up, so nested values are already decoded when their parent is seen.
  return JSON.parse(text, (_key, value: unknown) => {
    if (!isPlainRecord(value)) return value;
    const keys = Object.keys(value);
    if (!keys.some((k) => k.startsWith('$'))) return value;
    if (keys.includes(DATE_TAG)) return toDate(value, keys);
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        if (k.startsWith('$$')) return [k.slice(1), v];
        if (k.startsWith('$')) throw new Error(`event-codec: unexpected key '${k}' on the wire (payload keys starting with '$' are escaped as '$$')`);
        return [k, v];
      }),
    );
  });
}

function toDate(tagged: Record<string, unknown>, keys: string[]): Date {
  const iso = tagged[DATE_TAG];
  if (keys.length !== 1 || typeof iso !== 'string') {
    throw new Error(`event-codec: a '${DATE_TAG}' tag must be the only key and hold an ISO date string, got ${JSON.stringify(tagged)}`);
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`event-codec: '${DATE_TAG}' must be an ISO date string, got ${JSON.stringify(iso)}`);
  return date;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
