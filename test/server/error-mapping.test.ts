import { GraphQLError, parse } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { GatehouseError } from '../../src/engine/errors.ts';
import { toClientError, toFormattedError, type ErrorMappingScope } from '../../src/schema/error-mapping.ts';

/** Errors become what clients see in one place (CONVENTIONS "Errors"): codes kept, the unexpected masked. */
function scopeFor(requestId = 'req-7f3a') {
  const logUnexpected = vi.fn<ErrorMappingScope['logUnexpected']>();
  const onCode = vi.fn<NonNullable<ErrorMappingScope['onCode']>>();
  return { requestId, logUnexpected, onCode };
}

const syntaxError = (query: string): GraphQLError => {
  try {
    parse(query);
  } catch (err) {
    return err as GraphQLError;
  }
  throw new Error(`expected ${JSON.stringify(query)} not to parse`);
};

describe('toClientError', () => {
  it('masks a plain Error as INTERNAL_SERVER_ERROR with the request id and logs the original', () => {
    const scope = scopeFor();
    const original = new Error('SQLITE_CORRUPT: database disk image is malformed at /srv/data/gatehouse.db');
    const error = toClientError(original, scope);
    expect(error.message).toBe('Unexpected error; it was logged with request id req-7f3a');
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', details: { requestId: 'req-7f3a' }, requestId: 'req-7f3a' });
    expect(JSON.stringify(error.toJSON())).not.toContain('SQLITE');
    expect(scope.logUnexpected).toHaveBeenCalledOnce();
    expect(scope.logUnexpected).toHaveBeenCalledWith(original, 'req-7f3a');
    expect(scope.onCode).toHaveBeenCalledWith('INTERNAL_SERVER_ERROR');
  });

  it('masks a plain Error a resolver threw, keeping its path', () => {
    const scope = scopeFor();
    const original = new TypeError("Cannot read properties of undefined (reading 'id')");
    const wrapped = new GraphQLError(original.message, { path: ['apiTokens', 'edges', 0], originalError: original });
    const error = toClientError(wrapped, scope);
    expect(error.path).toEqual(['apiTokens', 'edges', 0]);
    expect(error.message).not.toContain('Cannot read');
    expect(error.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(scope.logUnexpected).toHaveBeenCalledWith(original, 'req-7f3a');
  });

  it("keeps a GatehouseError's code, message and details and logs nothing", () => {
    const scope = scopeFor();
    const cause = new GatehouseError('FORBIDDEN', "'Mutation.createApiToken' needs one of the roles admin", { role: 'viewer', requiredRoles: ['admin'] });
    const error = toClientError(new GraphQLError(cause.message, { path: ['createApiToken'], originalError: cause }), scope);
    expect(error.message).toBe("'Mutation.createApiToken' needs one of the roles admin");
    expect(error.extensions).toEqual({ code: 'FORBIDDEN', details: { role: 'viewer', requiredRoles: ['admin'] }, http: { status: 403 } });
    expect(scope.logUnexpected).not.toHaveBeenCalled();
    expect(scope.onCode).toHaveBeenCalledWith('FORBIDDEN');
  });

  it('gives codes without a meaningful HTTP status no extensions.http', () => {
    const cause = new GatehouseError('SLOW_CONSUMER', 'fell behind', { queueLimit: 5 });
    expect(toClientError(cause, scopeFor()).extensions).toEqual({ code: 'SLOW_CONSUMER', details: { queueLimit: 5 } });
  });

  it('maps a syntax error to GRAPHQL_PARSE_FAILED with its location', () => {
    const scope = scopeFor();
    const error = toClientError(syntaxError('{ serverInfo { name }'), scope);
    expect(error.message).toBe('Syntax Error: Expected Name, found <EOF>.');
    expect(error.extensions).toEqual({
      code: 'GRAPHQL_PARSE_FAILED',
      details: { locations: [{ line: 1, column: 22 }] },
      http: { status: 400, spec: true },
    });
    expect(scope.logUnexpected).not.toHaveBeenCalled();
  });

  it("maps graphql-armor's limit errors to GRAPHQL_VALIDATION_FAILED though they say 'Syntax Error'", () => {
    const error = toClientError(new GraphQLError('Syntax Error: Query depth limit of 12 exceeded, found 13.'), scopeFor());
    expect(error.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', details: { locations: [] }, http: { status: 400, spec: true } });
  });

  it('keeps the HTTP headers that go with a status, such as Allow on 405', () => {
    const yogaError = new GraphQLError('Can only perform a mutation operation from a POST request.', {
      extensions: { code: 'BAD_REQUEST', http: { status: 405, headers: { Allow: 'POST' } } },
    });
    expect(toClientError(yogaError, scopeFor()).extensions).toEqual({
      code: 'BAD_REQUEST',
      details: { reason: 'Can only perform a mutation operation from a POST request.' },
      http: { status: 405, headers: { Allow: 'POST' } },
    });
  });
});

describe('toFormattedError', () => {
  it('drops extensions.http for transports without HTTP statuses', () => {
    const cause = new GatehouseError('UNAUTHENTICATED', 'no token', { reason: 'missing_token' });
    expect(toFormattedError(cause, scopeFor())).toEqual({ message: 'no token', extensions: { code: 'UNAUTHENTICATED', details: { reason: 'missing_token' } } });
  });
});
