import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { ERROR_CODES } from '../engine/errors.ts';
import type { ReadinessRegistry } from '../engine/readiness/readiness-registry.ts';
import type { Metrics } from './metrics.ts';
import { sendJson, type RouteHandler } from './plain-route.ts';
import type { GatehouseYoga } from './yoga.ts';

/**
 * The HTTP front door: `/graphql` (Yoga), `/healthz`, `/readyz`, `/metrics`. It enforces the
 * request body limit before Yoga reads a byte (issue #2 §9) and gives every request an id
 * (`x-request-id`, echoed back; a well-formed incoming one is kept so callers can correlate).
 */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const BUILT_IN_ROUTES = ['/graphql', '/healthz', '/readyz', '/metrics'];

export function createHttpHandler(deps: {
  yoga: GatehouseYoga;
  readiness: ReadinessRegistry;
  metrics: Metrics;
  bodyLimitBytes: number;
  apiVersion: string;
  log: Logger;
  /** Plain HTTP routes capabilities add (e.g. POST /ingest). */
  routes?: ReadonlyMap<string, RouteHandler>;
}) {
  const { yoga, metrics, bodyLimitBytes } = deps;
  const routes = deps.routes ?? new Map<string, RouteHandler>();
  const knownRoutes = new Set([...BUILT_IN_ROUTES, ...routes.keys()]);
  // A key ending in "/" serves everything below it (GET /exports/<id>); metrics label it by the prefix.
  const prefixes = [...routes.keys()].filter((k) => k.endsWith('/'));
  const prefixOf = (path: string) => prefixes.find((p) => path.startsWith(p) && path.length > p.length);


  const tooLarge = (res: ServerResponse) => {
    const code = 'PAYLOAD_TOO_LARGE';
    sendJson(
      res,
      ERROR_CODES[code].httpStatus,
      {
        errors: [{ message: `request body exceeds the limit of ${bodyLimitBytes} bytes`, extensions: { code, details: { limitBytes: bodyLimitBytes } } }],
        extensions: { apiVersion: deps.apiVersion },
      },
      { connection: 'close' },
    );
  };

  /** Reads a body of unknown length (chunked) up to the limit; null when it is over. */
  const readLimited = async (req: IncomingMessage): Promise<Buffer | null> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > bodyLimitBytes) return null;
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  };

  const graphql = async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    const context = { requestId };
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > bodyLimitBytes) return tooLarge(res);
    if (declared !== undefined || !req.headers['transfer-encoding']) {
      await yoga.handle(req, res, context);
      return;
    }
    // A chunked body has no declared length: buffer it under the limit, then hand it to Yoga.
    const body = await readLimited(req);
    if (body === null) return tooLarge(res);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined && key !== 'transfer-encoding') headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/graphql'}`, {
      method: req.method ?? 'POST',
      headers,
      body: new Uint8Array(body),
      signal: abort.signal,
    });
    const response = await yoga.fetch(request, context);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    // Yoga's Response body is a @whatwg-node ponyfill stream, which `Readable.fromWeb` rejects
    // (ERR_INVALID_ARG_TYPE); both it and a native ReadableStream are async iterables.
    if (response.body) Readable.from(response.body as unknown as AsyncIterable<Uint8Array>, { objectMode: false }).pipe(res);
    else res.end();
  };

  return async (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    const path = (req.url ?? '/').split('?', 1)[0] as string;
    const route = knownRoutes.has(path) ? path : (prefixOf(path) ?? 'other');
    res.on('finish', () => {
      const method = req.method ?? 'GET';
      metrics.httpRequests.inc({ method, route, status: String(res.statusCode) });
      if (!String(res.getHeader('content-type') ?? '').startsWith('text/event-stream')) {
        metrics.httpDuration.observe({ method, route }, Number(process.hrtime.bigint() - started) / 1e9);
      }
    });
    try {
      switch (path) {
        case '/graphql':
          return await graphql(req, res, requestId);
        case '/healthz':
          return sendJson(res, 200, { status: 'ok' });
        case '/readyz': {
          const readiness = deps.readiness.current() ?? (await deps.readiness.refresh()).readiness;
          return sendJson(res, readiness.state === 'UNAVAILABLE' ? 503 : 200, readiness);
        }
        case '/metrics': {
          const text = await metrics.registry.metrics();
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          return res.end(text);
        }
        default: {
          const prefix = prefixOf(path);
          const handler = routes.get(path) ?? (prefix ? routes.get(prefix) : undefined);
          if (handler) return await handler(req, res, requestId);
          return sendJson(res, 404, { error: 'not_found', message: `no route for ${req.method} ${path}; GraphQL is at /graphql` });
        }
      }
    } catch (err) {
      deps.log.error({ err, requestId }, 'unhandled error in HTTP handler');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal_server_error', requestId });
      else res.destroy();
    }
  };
}
