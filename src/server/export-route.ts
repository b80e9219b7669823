import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ContextFactory } from './context-factory.ts';
import { authorizeRoute, sendError, type RouteHandler } from './plain-route.ts';

export const EXPORTS_PREFIX = '/exports/';

/**
 * `GET /exports/<id>` (issue #5 §10): a run export bundle, for any token that may read. The id is
 * checked by the writer (`path` returns null for anything that is not an export id), so no request
 * path reaches the file system.
 */
export function createExportRoute(deps: { contexts: ContextFactory; path(exportId: string): string | null }): [string, RouteHandler] {
  const handler: RouteHandler = async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 'BAD_REQUEST', `GET ${EXPORTS_PREFIX}<id> only; got ${req.method}`, { reason: 'method_not_allowed' });
    if (!(await authorizeRoute(deps.contexts, req, res, 'read'))) return;
    const raw = (req.url ?? '').split('?', 1)[0]?.slice(EXPORTS_PREFIX.length) ?? '';
    let id: string;
    try {
      id = decodeURIComponent(raw).replace(/\.tar\.gz$/, '');
    } catch {
      return sendError(res, 'NOT_FOUND', 'no such export', { type: 'RunExport', id: raw });
    }
    const file = deps.path(id);
    const info = file ? await stat(file).catch(() => null) : null;
    if (!file || !info) return sendError(res, 'NOT_FOUND', `no export ${JSON.stringify(id)}`, { type: 'RunExport', id });
    res.writeHead(200, {
      'content-type': 'application/gzip',
      'content-length': info.size,
      'content-disposition': `attachment; filename="${id}.tar.gz"`,
      'cache-control': 'private, no-store',
    });
    if (req.method === 'HEAD') return void res.end();
    await new Promise<void>((resolve, reject) => createReadStream(file).on('error', reject).on('end', resolve).pipe(res));
  };
  return [EXPORTS_PREFIX, handler];
}
