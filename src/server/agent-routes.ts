import type { IncomingMessage } from 'node:http';
import type { GatewayRequestInput } from '../engine/gateway/decision.ts';
import type { GatewayRequestRecord } from '../engine/gateway/gateway-request.ts';
import { isGatehouseError } from '../engine/errors.ts';
import type { Context } from '../resolvers/context.ts';
import { gatewayStatus } from '../resolvers/gateway/gateway-queries.ts';
import { submitRequest } from '../resolvers/gateway/submit-request.ts';
import type { ContextFactory } from './context-factory.ts';
import { authorizeRoute, sendError, sendJson, type RouteHandler } from './plain-route.ts';

/**
 * The plain HTTP contract for agent SDKs (issue #4 §10), on the same engine and tokens as GraphQL:
 * `POST /request` → 200 approved, 403 denied, 202 pending approval, 400 malformed, 500 internal;
 * `GET /status`; `GET /policy`.
 */
const STATUS_CODE: Record<GatewayRequestRecord['status'], number> = { APPROVED: 200, DENIED: 403, PENDING_APPROVAL: 202 };
const MAX_BODY = 1024 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw Object.assign(new Error(`body exceeds ${MAX_BODY} bytes`), { tooLarge: true });
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export function toAgentResponse(r: GatewayRequestRecord) {
  return {
    status: r.status.toLowerCase(),
    request_id: r.requestId,
    action: r.action,
    ...(r.status === 'APPROVED' ? { result: r.result } : { reason: r.reason ?? null }),
    audit_event_id: r.auditEventId,
    ...(r.expiresAt ? { expires_at: r.expiresAt.toISOString() } : {}),
  };
}

export function createAgentRoutes(deps: { contexts: ContextFactory; log: { error(obj: object, msg?: string): void } }): Map<string, RouteHandler> {
  const contextFor = async (req: IncomingMessage, res: Parameters<RouteHandler>[1], requestId: string, permission: 'act' | readonly ('act' | 'read')[]) => {
    const principal = await authorizeRoute(deps.contexts, req, res, permission);
    return principal ? deps.contexts.create(principal, requestId, 'http') : null;
  };

  const request: RouteHandler = async (req, res, requestId) => {
    if (req.method !== 'POST') return sendError(res, 'BAD_REQUEST', `POST /request only; got ${req.method}`, { reason: 'method_not_allowed' });
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      return sendError(res, 'BAD_REQUEST', 'content-type must be application/json', { reason: 'unsupported_media_type' });
    }
    const ctx = await contextFor(req, res, requestId, 'act');
    if (!ctx) return;
    let body: Record<string, unknown>;
    try {
      const parsed = await readJson(req);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the body must be a JSON object');
      body = parsed as Record<string, unknown>;
    } catch (err) {
      if ((err as { tooLarge?: boolean }).tooLarge) return sendError(res, 'PAYLOAD_TOO_LARGE', (err as Error).message, { limitBytes: MAX_BODY });
      return sendError(res, 'BAD_REQUEST', `malformed request: ${(err as Error).message}`, { reason: 'malformed_json' });
    }
    const input = {
      agent: body.agent,
      role: body.role,
      specId: body.spec_id,
      action: body.action,
      params: body.params ?? {},
      rationale: body.rationale ?? null,
      idempotencyKey: body.idempotency_key ?? null,
      dryRun: body.dry_run === true,
    } as GatewayRequestInput;
    try {
      const { request: record } = await submitRequest({ input }, ctx as Context, 'rest');
      sendJson(res, STATUS_CODE[record.status], toAgentResponse(record));
    } catch (err) {
      if (isGatehouseError(err) && err.code === 'BAD_USER_INPUT') {
        return sendJson(res, 400, { status: 'malformed', error: { code: err.code, message: err.message, details: err.details } });
      }
      // A shared store (scale-out: Redis ids, idempotency) is unreachable: nothing ran; retry later.
      if (isGatehouseError(err) && err.code === 'SERVICE_UNAVAILABLE') {
        return sendJson(res, 503, { status: 'unavailable', error: { code: err.code, message: err.message, details: err.details } });
      }
      deps.log.error({ err, requestId }, 'POST /request failed');
      sendJson(res, 500, { status: 'error', error: { code: 'INTERNAL_SERVER_ERROR', message: `internal error; logged with request id ${requestId}`, details: { requestId } } });
    }
  };

  const status: RouteHandler = async (req, res, requestId) => {
    const ctx = await contextFor(req, res, requestId, ['read', 'act']); // agent SDKs check status and policy with their own token
    if (!ctx) return;
    const s = await gatewayStatus(undefined, ctx as Context);
    sendJson(res, 200, {
      service: s.service,
      version: s.version,
      mode: s.mode,
      uptime_seconds: s.uptimeSeconds,
      policy_loaded: s.policyLoaded,
      specs_count: s.specsCount,
      jurisdictions_count: s.jurisdictionsCount,
      total_requests: s.totalRequests,
      total_denials: s.totalDenials,
    });
  };

  const policy: RouteHandler = async (req, res, requestId) => {
    const ctx = await contextFor(req, res, requestId, ['read', 'act']); // agent SDKs check status and policy with their own token
    if (!ctx) return;
    const p = (ctx as Context).policyView.current();
    if (!p) return sendJson(res, 503, { specs: {}, jurisdictions: {}, last_reload: null, error: 'no policy loaded' });
    const specs = Object.fromEntries([...p.specs.values()].map((s) => [s.id, { title: s.title, status: s.status, roles: s.roles, action_types: s.actionTypes, paths: s.paths }]));
    const jurisdictions = Object.fromEntries([...p.jurisdictions.values()].map((j) => [j.role, { paths: j.paths, action_types: j.actionTypes }]));
    sendJson(res, 200, { specs, jurisdictions, last_reload: p.loadedAt.toISOString() });
  };

  return new Map([
    ['/request', request],
    ['/status', status],
    ['/policy', policy],
  ]);
}
