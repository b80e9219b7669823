import type { EntityManager } from '@mikro-orm/knex';
import type { RequestStatus } from '../../engine/gateway/decision.ts';
import type { GatewayRequestFilter, GatewayRequestRecord, GatewayRequestStore } from '../../engine/gateway/gateway-request.ts';
import { fromRunKey, toRunKey } from '../entities/run-key.ts';
import { knexOf } from './sql-values.ts';

/** Record fields that are dates, revived when a stored record is read back. */
const DATE_FIELDS = ['createdAt', 'decidedAt', 'expiresAt'] as const;

/** The row of `gateway_requests` for a record (the gateway journal writes it too). */
export function toRequestRow(record: GatewayRequestRecord) {
  return {
    request_id: record.requestId,
    run_id: toRunKey(record.runId),
    agent: record.agent,
    role: record.role,
    spec_id: record.specId,
    action: record.action,
    status: record.status,
    execution: record.execution,
    created_at: record.createdAt.getTime(),
    record: JSON.stringify(record),
  };
}

function fromRow(row: { record: string; run_id: string }): GatewayRequestRecord {
  const raw = JSON.parse(row.record) as Record<string, unknown>;
  for (const field of DATE_FIELDS) raw[field] = raw[field] === null || raw[field] === undefined ? null : new Date(raw[field] as string);
  const approval = raw.approval as { at: string } | null;
  if (approval) raw.approval = { ...approval, at: new Date(approval.at) };
  return { ...(raw as unknown as GatewayRequestRecord), runId: fromRunKey(row.run_id) };
}

/**
 * Gateway requests on the database: filterable columns plus the record as JSON, so the record can grow
 * without migrations. Raw knex (no unit of work): each call is one statement.
 */
export function createGatewayRequestRepository(em: () => EntityManager): GatewayRequestStore {
  const knex = () => knexOf(em());
  const filtered = (filter: GatewayRequestFilter) => {
    const q = knex()('gateway_requests').where('run_id', toRunKey(filter.runId ?? null));
    if (filter.agent) q.where('agent', filter.agent);
    if (filter.role) q.where('role', filter.role);
    if (filter.specId) q.where('spec_id', filter.specId);
    if (filter.action) q.where('action', filter.action);
    if (filter.status) q.where('status', filter.status);
    if (filter.since) q.where('created_at', '>=', filter.since.getTime());
    if (filter.until) q.where('created_at', '<', filter.until.getTime());
    return q;
  };
  return {
    async insert(record) {
      await knex()('gateway_requests').insert(toRequestRow(record));
    },
    async update(record) {
      const { request_id: _id, ...row } = toRequestRow(record);
      await knex()('gateway_requests').where('request_id', record.requestId).update(row);
    },
    async get(requestId) {
      const row = await knex()('gateway_requests').where('request_id', requestId).first();
      return row ? fromRow(row) : null;
    },
    async list(filter, after, limit) {
      const q = filtered(filter);
      if (after) {
        const at = new Date(after[0]).getTime();
        q.where((w) => w.where('created_at', '<', at).orWhere((x) => x.where('created_at', at).andWhere('request_id', '<', after[1])));
      }
      const rows = await q.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'request_id', order: 'desc' }]).limit(limit + 1);
      return rows.map(fromRow);
    },
    async count(filter) {
      const [row] = await filtered(filter).count({ n: '*' });
      return Number(row?.n ?? 0);
    },
    async pending() {
      const rows = await knex()('gateway_requests').where({ status: 'PENDING_APPROVAL', run_id: toRunKey(null) }).orderBy('created_at', 'asc');
      return rows.map(fromRow);
    },
    async running() {
      const rows = await knex()('gateway_requests').where({ execution: 'running' });
      return rows.map(fromRow);
    },
    async countByStatusSince(since) {
      const rows: { status: RequestStatus; n: number | string }[] = await knex()('gateway_requests')
        .where('run_id', toRunKey(null))
        .where('created_at', '>=', since.getTime())
        .select('status')
        .count({ n: '*' })
        .groupBy('status');
      const counts: Record<RequestStatus, number> = { APPROVED: 0, DENIED: 0, PENDING_APPROVAL: 0 };
      for (const r of rows) counts[r.status] = Number(r.n);
      return counts;
    },
  };
}
