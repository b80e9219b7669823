/**
 * Gateway request ids (DESIGN §7, issue #4): `req_YYYYMMDD_HHMMSS_NNN`, the UTC second the id was
 * issued and a counter from 001 within that second. Promises:
 * - unique and strictly increasing per process, even when the clock steps backwards (the generator
 *   stays on the last second it used and keeps counting);
 * - unique across restarts when seeded with the last id issued before (the audit log's
 *   `lastRequestId()`): a clock at or before that id's second continues its counter;
 * - the counter never wraps: the 1000th id in one second is `_1000` (it widens). Zero-padding to
 *   three digits and no leading zeros beyond that keep every id's text form unique.
 * The in-process generator makes ids unique per chain of restarts of one instance, not across instances
 * running at once; several instances share one allocator instead (src/server/redis-request-ids.ts,
 * issue 6 §5). Both are a `RequestIdSource`, which is what the gateway takes.
 */
export interface RequestIdParts {
  /** Unix time in whole seconds (UTC). */
  second: number;
  /** 1 for the first id of the second. */
  counter: number;
}

/**
 * Where the gateway gets its request ids. The in-process generator answers synchronously (no promise
 * per request on the embedded default); a shared allocator answers with a promise and rejects when it
 * cannot allocate, in which case no request is recorded and nothing runs.
 */
export interface RequestIdSource {
  next(): string | Promise<string>;
}

export interface RequestIdGenerator extends RequestIdSource {
  next(): string;
}

export interface RequestIdGeneratorOptions {
  now?: () => Date;
  /** The greatest id issued before (e.g. found in the audit log at start-up); null for none. */
  lastIssued?: string | null;
}

const REQUEST_ID = /^req_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})_(\d{3}|[1-9]\d{3,})$/;

export function formatRequestId({ second, counter }: RequestIdParts): string {
  const iso = new Date(second * 1000).toISOString(); // 2024-05-06T07:08:09.000Z
  const date = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`;
  const time = `${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  return `req_${date}_${time}_${String(counter).padStart(3, '0')}`;
}

/** Splits a request id into its second and counter, or throws naming what is wrong with it. */
export function parseRequestId(value: string): RequestIdParts {
  const m = REQUEST_ID.exec(value);
  if (!m) throw new Error(`request id must look like req_YYYYMMDD_HHMMSS_NNN, got ${JSON.stringify(value)}`);
  const [year, month, day, hour, minute, sec, counter] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, sec);
  const d = new Date(ms);
  const valid =
    d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && d.getUTCHours() === hour && d.getUTCMinutes() === minute && d.getUTCSeconds() === sec;
  if (!valid) throw new Error(`request id ${JSON.stringify(value)} names no real UTC date and time`);
  if (counter < 1) throw new Error(`request id ${JSON.stringify(value)}: the counter starts at 001`);
  if (!Number.isSafeInteger(counter)) throw new Error(`request id ${JSON.stringify(value)}: counter out of range`);
  return { second: ms / 1000, counter };
}

/** Orders ids by (second, counter) as numbers: `_1000` follows `_999`, which text order gets wrong. */
export function compareRequestIds(a: string, b: string): number {
  const x = parseRequestId(a);
  const y = parseRequestId(b);
  return x.second - y.second || x.counter - y.counter;
}

export function createRequestIdGenerator(options: RequestIdGeneratorOptions = {}): RequestIdGenerator {
  const now = options.now ?? (() => new Date());
  // The last id issued: the next one is later in the same second, or the first of a later one.
  let last: RequestIdParts = options.lastIssued ? parseRequestId(options.lastIssued) : { second: -Infinity, counter: 0 };
  return {
    next() {
      const second = Math.floor(now().getTime() / 1000);
      last = second > last.second ? { second, counter: 1 } : { second: last.second, counter: last.counter + 1 };
      return formatRequestId(last);
    },
  };
}
