import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ERROR_CODES, isErrorCode, isGatehouseError, type ErrorCode } from '../engine/errors.ts';

/**
 * The one place where errors become what clients see (CONVENTIONS "Errors"). Every error leaving
 * the server carries `extensions.code` from the closed registry and `extensions.details` with that
 * code's keys. A `GatehouseError` keeps its message; anything unexpected is replaced by a masked
 * INTERNAL_SERVER_ERROR carrying the request id, and the original is logged with its stack.
 */
export interface ErrorMappingScope {
  requestId: string;
  logUnexpected(error: unknown, requestId: string): void;
  onCode?(code: ErrorCode): void;
}

function innermost(error: GraphQLError): unknown {
  let current: unknown = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

const ARMOR_LIMIT = /^Syntax Error: .*\blimit of \d+ exceeded\b/i;

/** Classifies an error graphql-js, Yoga or a limit plugin produced (no thrown application error). */
function classify(error: GraphQLError): { code: ErrorCode; details: Record<string, unknown>; status?: number } {
  const ext = error.extensions ?? {};
  const http = ext.http as { status?: number } | undefined;
  const locations = error.locations ?? [];
  if (isErrorCode(ext.code) && isGatehouseDetails(ext.code, ext.details)) {
    return { code: ext.code, details: ext.details as Record<string, unknown>, status: http?.status };
  }
  // graphql-armor words its depth, alias, cost, directive and token limits as "Syntax Error: … limit
  // of N exceeded" (no location); the registry files limits under validation, not parsing.
  if (ARMOR_LIMIT.test(error.message)) return { code: 'GRAPHQL_VALIDATION_FAILED', details: { locations }, status: 400 };
  if (ext.code === 'GRAPHQL_PARSE_FAILED' || error.message.startsWith('Syntax Error')) {
    return { code: 'GRAPHQL_PARSE_FAILED', details: { locations }, status: 400 };
  }
  if (http?.status === 413) return { code: 'PAYLOAD_TOO_LARGE', details: { limitBytes: ext.limitBytes ?? null }, status: 413 };
  const variable = /^Variable "\$([^"]+)"/.exec(error.message);
  if (variable) return { code: 'BAD_USER_INPUT', details: { field: `$${variable[1]}`, reason: error.message }, status: http?.status };
  if (ext.code === 'GRAPHQL_VALIDATION_FAILED' || (locations.length > 0 && !error.path)) {
    return { code: 'GRAPHQL_VALIDATION_FAILED', details: { locations }, status: 400 };
  }
  if (http?.status && http.status >= 400 && http.status < 500) {
    return { code: 'BAD_REQUEST', details: { reason: error.message }, status: http.status };
  }
  if (ext.code === 'BAD_USER_INPUT') return { code: 'BAD_USER_INPUT', details: { field: null, reason: error.message } };
  return { code: 'GRAPHQL_VALIDATION_FAILED', details: { locations }, status: http?.status };
}

function isGatehouseDetails(code: ErrorCode, details: unknown): boolean {
  if (!details || typeof details !== 'object') return false;
  return ERROR_CODES[code].details.every((key) => key in details);
}

/** HTTP status for codes where the status carries meaning for HTTP clients. */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
};

export function toClientError(error: unknown, scope: ErrorMappingScope): GraphQLError {
  const graphqlError = error instanceof GraphQLError ? error : new GraphQLError(String((error as Error)?.message ?? error), { originalError: error as Error });
  const cause = innermost(graphqlError);
  const base = { nodes: graphqlError.nodes, source: graphqlError.source, positions: graphqlError.positions, path: graphqlError.path };

  let code: ErrorCode;
  let message: string;
  let details: Record<string, unknown>;
  let status: number | undefined;
  let headers: Record<string, string> | undefined;
  if (isGatehouseError(cause)) {
    code = cause.code;
    message = cause.message;
    details = cause.details as Record<string, unknown>;
    status = HTTP_STATUS[code];
  } else if (cause instanceof GraphQLError) {
    ({ code, details, status } = classify(cause));
    // Keep headers HTTP requires with a status, e.g. `Allow: POST` on Yoga's 405 (RFC 9110 §15.5.6).
    headers = (cause.extensions?.http as { headers?: Record<string, string> } | undefined)?.headers;
    message = cause.message;
  } else {
    scope.logUnexpected(cause, scope.requestId);
    code = 'INTERNAL_SERVER_ERROR';
    message = `Unexpected error; it was logged with request id ${scope.requestId}`;
    details = { requestId: scope.requestId };
    status = undefined;
  }
  scope.onCode?.(code);
  const extensions: Record<string, unknown> = { code, details };
  if (code === 'INTERNAL_SERVER_ERROR') extensions.requestId = scope.requestId;
  // GraphQL-over-HTTP: with `application/json` responses, request errors (parse, validation,
  // variables) SHOULD be 200; Yoga honours `spec: true` by using 200 for application/json and the
  // status for application/graphql-response+json.
  const spec = code === 'GRAPHQL_PARSE_FAILED' || code === 'GRAPHQL_VALIDATION_FAILED' || (code === 'BAD_USER_INPUT' && cause instanceof GraphQLError);
  if (status !== undefined) extensions.http = { status, ...(headers ? { headers } : {}), ...(spec ? { spec: true } : {}) };
  return new GraphQLError(message, { ...base, extensions });
}

/** For transports with no HTTP status (graphql-ws): the same error without `extensions.http`. */
export function toFormattedError(error: unknown, scope: ErrorMappingScope): GraphQLFormattedError {
  const formatted = toClientError(error, scope).toJSON();
  if (formatted.extensions) {
    const { http: _http, ...rest } = formatted.extensions;
    return { ...formatted, extensions: rest };
  }
  return formatted;
}

