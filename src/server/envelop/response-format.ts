import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { ErrorCode } from '../../engine/errors.ts';
import { toClientError, type ErrorMappingScope } from '../../schema/error-mapping.ts';

export interface ResponseFormatOptions {
  apiVersion: string;
  log: Logger;
  onErrorCode(code: ErrorCode): void;
}

export interface RequestScope {
  requestId: string;
}

/** The error-mapping scope for one request: unexpected errors are logged with the request id. */
export function errorScope(requestId: string, options: ResponseFormatOptions): ErrorMappingScope {
  return {
    requestId,
    logUnexpected: (error, id) => options.log.error({ err: error, requestId: id }, 'unexpected error'),
    onCode: options.onErrorCode,
  };
}

/** Maps errors through the registry and stamps `extensions.apiVersion` on one result. */
export function formatResult<R extends ExecutionResult>(result: R, scope: ErrorMappingScope, apiVersion: string): R {
  return {
    ...result,
    ...(result.errors ? { errors: result.errors.map((e) => toClientError(e, scope)) } : {}),
    extensions: { ...result.extensions, apiVersion },
  };
}

async function* mapStream(source: AsyncIterable<ExecutionResult>, map: (r: ExecutionResult) => ExecutionResult) {
  for await (const result of source) yield map(result);
}

/**
 * Every HTTP response (queries, mutations, SSE events, request errors) passes through here, so no
 * error reaches a client unmapped and every response carries `extensions.apiVersion` (DESIGN §5).
 */
export function useResponseFormat(options: ResponseFormatOptions): Plugin<Record<string, unknown>, RequestScope> {
  return {
    onResultProcess({ result, setResult, serverContext }) {
      const scope = errorScope(serverContext.requestId, options);
      const map = (r: ExecutionResult) => formatResult(r, scope, options.apiVersion);
      if (Array.isArray(result)) setResult(result.map(map));
      else if (Symbol.asyncIterator in (result as object)) setResult(mapStream(result as AsyncIterable<ExecutionResult>, map));
      else setResult(map(result as ExecutionResult));
    },
  };
}
