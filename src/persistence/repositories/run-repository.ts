import type { EntityManager, Knex } from '@mikro-orm/knex';
import { LOG_LEVELS, levelRank, type RunLogEntry, type RunLogFilter } from '../../engine/runs/run-log.ts';
import { RUN_STATES, type RunFilter, type RunRecord, type RunState } from '../../engine/runs/run.ts';
import type { RunStore, RunWriteBatch } from '../../engine/runs/run-store.ts';
import type { RunStepResult } from '../../engine/runs/run-step-result.ts';
import { toRunKey } from '../entities/run-key.ts';
import { dialectOf } from '../dialect.ts';
import { bulkInsert, type BulkInsert } from './bulk-insert.ts';
import { execSqliteInserts } from './sqlite-batch.ts';
import { EVENT_INSERT_COLUMNS, EVENT_JSON_COLUMNS, TAG_INSERT_COLUMNS, TAG_JSON_COLUMNS, eventValues, tagValues } from './tag-rows.ts';
import { fromBoolean, fromJson, knexOf, toDate } from './sql-values.ts';

const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

function fromRunRow(row: { record: unknown; detail_retained: unknown }): RunRecord {
  const r = fromJson<RunRecord>(row.record);
  return {
    ...r,
    createdAt: new Date(r.createdAt),
    startedAt: date(r.startedAt),
    endedAt: date(r.endedAt),
    progress: { ...r.progress, virtualTime: date(r.progress.virtualTime) },
    detailRetained: fromBoolean(row.detail_retained),
  };
}

const toRunRow = (r: RunRecord) => ({
  run_id: r.runId,
  scenario_id: r.scenarioId,
  state: r.state,
  created_at: r.createdAt.getTime(),
  started_by: r.startedBy,
  idempotency_key: r.idempotencyKey,
  detail_retained: r.detailRetained,
  owner: r.owner,
  record: JSON.stringify(r),
});

function fromLogRow(row: Record<string, unknown>): RunLogEntry {
  return { runId: String(row.run_id), seq: Number(row.seq), timestamp: toDate(row.at), level: LOG_LEVELS[Number(row.level)] ?? 'INFO', eventType: row.event_type as RunLogEntry['eventType'], message: String(row.message), payload: fromJson(row.payload) };
}

/**
 * A step's record and a log entry's payload are JSON text columns given as values (`jsonColumns`),
 * not as strings JSON.stringify made: nested in the batch's JSON they are written once instead of
 * being escaped into a string inside it (the escaping had added 15% to a replay's step results, which
 * are about two thirds of its batches' bytes). Every path stores the text JSON.stringify makes:
 * `insertPortable` stringifies the value, SQLite's `->` returns a value's text as it arrived, and
 * PostgreSQL's `json_populate_recordset` keeps a `json` value's text (run-repository-batch.test.ts).
 */
const STEP_COLUMNS = ['run_id', 'step_index', 'record'];
const STEP_JSON_COLUMNS = ['record'];
const stepValues = (runId: string, s: RunStepResult) => [runId, s.index, s];
const LOG_COLUMNS = ['run_id', 'seq', 'at', 'level', 'event_type', 'message', 'payload'];
const LOG_JSON_COLUMNS = ['payload'];
const logValues = (e: RunLogEntry) => [e.runId, e.seq, e.timestamp.getTime(), levelRank(e.level), e.eventType, e.message, e.payload];

/**
 * `RunStore.appendBatch`: a run's events, tags, step results and logs in one transaction, one
 * statement per table and no `returning`. The run's events and tags were checked new by the run
 * itself (it is the only writer under its run id), so they are plain inserts: the unique keys still
 * make the database the judge, and a batch it disagrees with fails and is rolled back, which fails
 * the run rather than leaving steps that list tags the store did not take from this run. On SQLite
 * the transaction is one driver call (sqlite-batch.ts).
 */
async function appendRunBatch(knex: Knex, runId: string, batch: RunWriteBatch, now: Date): Promise<void> {
  const runKey = toRunKey(runId);
  if (batch.events.some((e) => e.runId !== runId)) throw new Error(`run ${runId}: a batch holds an event of another run`);
  const insert = (table: string, columns: readonly string[], jsonColumns: readonly string[], rows: unknown[][]): BulkInsert => ({ table, columns, jsonColumns, rows, ignoreConflictsOn: null, returning: [] });
  const inserts = [
    insert('events', EVENT_INSERT_COLUMNS, EVENT_JSON_COLUMNS, batch.events.map((e) => eventValues(e, runKey))),
    insert('tags', TAG_INSERT_COLUMNS, TAG_JSON_COLUMNS, batch.tags.map((t) => tagValues(t, runKey, now))),
    insert('run_steps', STEP_COLUMNS, STEP_JSON_COLUMNS, batch.steps.map((s) => stepValues(runId, s))),
    insert('run_logs', LOG_COLUMNS, LOG_JSON_COLUMNS, batch.logs.map(logValues)),
  ];
  try {
    if (dialectOf(knex) === 'sqlite') await execSqliteInserts(knex, inserts);
    else await knex.transaction(async (trx) => {
      for (const i of inserts) await bulkInsert(trx, i);
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== 'SQLITE_CONSTRAINT' && code !== '23505') throw err;
    throw new Error(`run ${runId}: the store refused a batch holding rows it already had under the run (${(err as Error).message})`, { cause: err });
  }
}

/** Tables holding a run's detail, keyed by the run id (live rows use ''). */
const DETAIL_TABLES = ['events', 'tags', 'tagged_events', 'gateway_requests', 'run_steps', 'run_logs'] as const;

/**
 * Runs, their step results and logs (issue #5 §3, §6, §9). Runs are filterable columns plus the record
 * as JSON (like gateway requests); steps and logs are written in bulk, one statement per batch.
 */
export function createRunRepository(em: () => EntityManager): RunStore {
  const knex = () => knexOf(em());
  const filtered = (f: RunFilter) => {
    const q = knex()('runs');
    if (f.state) q.where('state', f.state);
    if (f.scenarioId) q.where('scenario_id', f.scenarioId);
    if (f.since) q.where('created_at', '>=', f.since.getTime());
    if (f.until) q.where('created_at', '<', f.until.getTime());
    return q;
  };
  const logQuery = (runId: string, f: RunLogFilter) => {
    const q = knex()('run_logs').where('run_id', runId);
    if (f.level) q.where('level', levelRank(f.level));
    if (f.minLevel) q.where('level', '>=', levelRank(f.minLevel));
    if (f.eventType) q.where('event_type', f.eventType);
    if (f.since) q.where('at', '>=', f.since.getTime());
    if (f.until) q.where('at', '<', f.until.getTime());
    return q;
  };
  const bulk = (table: string, columns: string[], jsonColumns: string[], rows: unknown[][]) =>
    em().transactional(async (tx) => {
      const trx = tx.getTransactionContext<Knex.Transaction>() as Knex.Transaction;
      await bulkInsert(trx, { table, columns, jsonColumns, rows, ignoreConflictsOn: null, returning: [columns[0] as string] });
    });

  return {
    async insert(r) {
      await knex()('runs').insert(toRunRow(r));
    },
    async update(r) {
      const { run_id: _id, ...row } = toRunRow(r);
      await knex()('runs').where('run_id', r.runId).update(row);
    },
    async get(runId) {
      const row = await knex()('runs').where('run_id', runId).first();
      return row ? fromRunRow(row) : null;
    },
    async list(filter, order, after, limit) {
      const dir = order === 'CREATED_ASC' ? 'asc' : 'desc';
      const cmp = dir === 'asc' ? '>' : '<';
      const q = filtered(filter);
      if (after) {
        const at = new Date(after[0]).getTime();
        q.where((w) => w.where('created_at', cmp, at).orWhere((x) => x.where('created_at', at).andWhere('run_id', cmp, after[1])));
      }
      const rows = await q.orderBy([{ column: 'created_at', order: dir }, { column: 'run_id', order: dir }]).limit(limit + 1);
      return rows.map(fromRunRow);
    },
    async count(filter) {
      const [row] = await filtered(filter).count({ n: '*' });
      return Number(row?.n ?? 0);
    },
    async countByState() {
      const rows: { state: RunState; n: unknown }[] = await knex()('runs').select('state').count({ n: '*' }).groupBy('state');
      const counts = Object.fromEntries(RUN_STATES.map((s) => [s, 0])) as Record<RunState, number>;
      for (const r of rows) counts[r.state] = Number(r.n);
      return counts;
    },
    async byIdempotencyKey(key, startedBy) {
      const q = knex()('runs').where('idempotency_key', key);
      if (startedBy === null) q.whereNull('started_by');
      else q.where('started_by', startedBy);
      const row = await q.first();
      return row ? fromRunRow(row) : null;
    },
    async renewLeases(owner, runIds, until) {
      if (runIds.length === 0) return;
      await knex()('runs').whereIn('run_id', [...runIds]).whereIn('state', ['QUEUED', 'RUNNING', 'PAUSED']).update({ owner, lease_expires_at: until.getTime() });
    },
    async expiredLeases(now, except) {
      const rows = await knex()('runs').whereIn('state', ['QUEUED', 'RUNNING', 'PAUSED']).whereNotNull('lease_expires_at').where('lease_expires_at', '<', now.getTime()).where((q) => q.whereNull('owner').orWhereNot('owner', except));
      return rows.map(fromRunRow);
    },
    async unfinished() {
      const rows = await knex()('runs').whereIn('state', ['QUEUED', 'RUNNING', 'PAUSED']).orderBy([{ column: 'created_at', order: 'asc' }, { column: 'run_id', order: 'asc' }]);
      return rows.map(fromRunRow);
    },
    async appendSteps(runId, steps) {
      if (steps.length === 0) return;
      await bulk('run_steps', STEP_COLUMNS, STEP_JSON_COLUMNS, steps.map((s) => stepValues(runId, s)));
    },
    async appendBatch(runId, batch) {
      // Straight to knex: a batch needs no unit of work.
      await appendRunBatch(knex(), runId, batch, new Date());
    },
    async steps(runId, after, limit) {
      const rows = await knex()('run_steps').where('run_id', runId).where('step_index', '>', after).orderBy('step_index', 'asc').limit(limit);
      return rows.map((row: { record: unknown }) => {
        const s = fromJson<RunStepResult>(row.record);
        return { ...s, at: new Date(s.at) };
      });
    },
    async appendLogs(entries) {
      if (entries.length === 0) return;
      await bulk('run_logs', LOG_COLUMNS, LOG_JSON_COLUMNS, entries.map(logValues));
    },
    async logs(runId, filter, after, limit) {
      const rows = await logQuery(runId, filter).where('seq', '>', after).orderBy('seq', 'asc').limit(limit);
      return rows.map(fromLogRow);
    },
    async countLogs(runId, filter) {
      const [row] = await logQuery(runId, filter).count({ n: '*' });
      return Number(row?.n ?? 0);
    },
    async detailBeyond(keep) {
      const rows: { run_id: string }[] = await knex()('runs')
        .where('detail_retained', true)
        .whereIn('state', ['COMPLETED', 'FAULT', 'CANCELLED'])
        .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'run_id', order: 'desc' }])
        .offset(keep)
        .limit(1000)
        .select('run_id');
      return rows.map((r) => r.run_id);
    },
    async purgeDetail(runId) {
      if (runId === '') throw new Error('purgeDetail: refusing the live run key');
      await em().transactional(async (tx) => {
        const trx = tx.getTransactionContext<Knex.Transaction>() as Knex.Transaction;
        for (const table of DETAIL_TABLES) await trx(table).where('run_id', runId).delete();
      });
    },
  };
}
