import { createGraphQLError, type Plugin } from 'graphql-yoga';

/**
 * CSRF prevention (issue #2 §9). Gatehouse authenticates with bearer tokens, which a browser never
 * attaches on its own, so a forged cross-site request carries no credentials. What remains is a
 * "simple" cross-site POST (form or text/plain body, no CORS preflight) reaching the server at all:
 * such POSTs are refused unless they carry the `x-gatehouse-csrf` header, which forces a preflight.
 * GET stays open (queries only; Yoga refuses mutations over GET), so plain `curl` and
 * GraphQL-over-HTTP GET requests keep working.
 */
export const CSRF_HEADER = 'x-gatehouse-csrf';
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export function useCsrfPrevention(): Plugin {
  return {
    onRequestParse({ request }) {
      if (request.method !== 'POST') return;
      const type = (request.headers.get('content-type') ?? '').toLowerCase();
      const simple = type === '' || SIMPLE_CONTENT_TYPES.some((t) => type.startsWith(t));
      if (simple && !request.headers.has(CSRF_HEADER)) {
        throw createGraphQLError(
          `POST bodies must be application/json (or send the ${CSRF_HEADER} header); got content type ${JSON.stringify(type || 'none')}`,
          { extensions: { http: { status: 415 } } },
        );
      }
    },
  };
}
