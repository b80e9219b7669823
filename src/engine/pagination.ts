import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';
import { badInput } from './errors.ts';

/**
 * Relay-style pagination shared by every list (DESIGN §5, issue #2 §7). Cursors are opaque and
 * carry a hash of the filter and order they were issued for, so a cursor reused with a different
 * filter is refused instead of silently skipping or repeating rows. Lists page by keyset (`after`
 * is the sort key of the last row seen), which stays correct while rows are inserted.
 */
export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 200;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface PageRequest<Key> {
  /** Rows wanted on this page. Fetch `limit + 1` to learn whether another page follows. */
  limit: number;
  /** Sort key of the last row of the previous page, or null for the first page. */
  after: Key | null;
  binding: string;
}

export interface Edge<Node> {
  cursor: string;
  node: Node;
}

export interface Connection<Node> {
  edges: Edge<Node>[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

function bindingOf(scope: unknown): string {
  return createHash('sha256').update(canonicalJson(scope)).digest('base64url').slice(0, 16);
}

function encodeCursor(binding: string, key: unknown): string {
  return Buffer.from(JSON.stringify({ b: binding, k: key }), 'utf8').toString('base64url');
}

/**
 * Validates `first`/`after` for a list whose filter and order are `scope`. `isKey` checks the
 * decoded sort key has the shape the list expects.
 */
export function parsePageArgs<Key>(args: PageArgs, scope: unknown, isKey: (value: unknown) => value is Key): PageRequest<Key> {
  const first = args.first ?? PAGE_SIZE_DEFAULT;
  if (!Number.isInteger(first) || first < 0 || first > PAGE_SIZE_MAX) {
    throw badInput('first', `must be an integer from 0 to ${PAGE_SIZE_MAX}, got ${first}`);
  }
  const binding = bindingOf(scope);
  if (args.after === undefined || args.after === null) return { limit: first, after: null, binding };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(args.after, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const cursor = decoded as { b?: unknown; k?: unknown } | undefined;
  if (!cursor || typeof cursor !== 'object' || typeof cursor.b !== 'string' || !isKey(cursor.k)) {
    throw badInput('after', 'is not a cursor issued by this list');
  }
  if (cursor.b !== binding) {
    throw badInput('after', 'was issued for a different filter or order; start again without after');
  }
  return { limit: first, after: cursor.k, binding };
}

/** Builds the connection from up to `limit + 1` rows fetched after the request's key. */
export function toConnection<Node, Key>(
  request: PageRequest<Key>,
  rows: readonly Node[],
  keyOf: (node: Node) => Key,
  totalCount: number,
): Connection<Node> {
  const page = rows.slice(0, request.limit);
  const edges = page.map((node) => ({ cursor: encodeCursor(request.binding, keyOf(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > request.limit,
      hasPreviousPage: request.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

/** Sort key for lists ordered by creation time then id, newest first. */
export type TimeIdKey = [string, string];

export function isTimeIdKey(value: unknown): value is TimeIdKey {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string';
}

/** Sort key for lists ordered by a unique string (e.g. rule id). */
export function isStringKey(value: unknown): value is string {
  return typeof value === 'string';
}

/** Pages an in-memory list already sorted by `keyOf` ascending. */
export function pageOfSorted<Node>(request: PageRequest<string>, sorted: readonly Node[], keyOf: (node: Node) => string): Connection<Node> {
  const start = request.after === null ? 0 : sorted.findIndex((n) => keyOf(n) > (request.after as string));
  const from = start < 0 ? sorted.length : start;
  return toConnection(request, sorted.slice(from, from + request.limit + 1), keyOf, sorted.length);
}
