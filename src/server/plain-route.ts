import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../engine/auth/principal.ts';
import { roleHas, rolesWith, type Permission } from '../engine/auth/roles.ts';
import { ERROR_CODES, isGatehouseError, type ErrorCode } from '../engine/errors.ts';
import type { ContextFactory } from './context-factory.ts';

/** A plain HTTP route next to /graphql (POST /ingest; later the agent SDK routes). */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Error bodies of plain routes use the same codes and details as GraphQL errors. */
export function sendError(res: ServerResponse, code: ErrorCode, message: string, details: Record<string, unknown>): void {
  sendJson(res, ERROR_CODES[code].httpStatus, { error: { code, message, details } });
}

/**
 * Authenticates a plain HTTP route with the same bearer tokens and roles as GraphQL. Answers 401/403
 * itself and returns null when the caller may not proceed.
 */
export async function authorizeRoute(contexts: ContextFactory, req: IncomingMessage, res: ServerResponse, permission: Permission | readonly Permission[]): Promise<Principal | null> {
  const permissions: readonly Permission[] = typeof permission === 'string' ? [permission] : permission;
  let principal: Principal | null;
  try {
    principal = await contexts.authenticate(req.headers.authorization);
  } catch (err) {
    if (isGatehouseError(err)) {
      sendError(res, err.code, err.message, err.details as Record<string, unknown>);
      return null;
    }
    throw err;
  }
  if (!principal) {
    sendError(res, 'UNAUTHENTICATED', "this route needs an API token: send 'Authorization: Bearer <token>'", { reason: 'missing_token' });
    return null;
  }
  if (!permissions.some((p) => roleHas(principal.role, p))) {
    const requiredRoles = [...new Set(permissions.flatMap((p) => rolesWith(p)))];
    sendError(res, 'FORBIDDEN', `this route needs one of the roles ${requiredRoles.join(', ')}; this token's role is ${principal.role}`, { role: principal.role, requiredRoles });
    return null;
  }
  return principal;
}
