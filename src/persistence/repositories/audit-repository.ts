import type { EntityManager } from '@mikro-orm/knex';
import type { AuditEntry, AuditLog, NewAuditEntry } from '../../engine/gateway/audit.ts';
import { parseRequestId } from '../../engine/gateway/request-id.ts';
import type { RowWrite } from './audit-append.ts';
import { createAuditWriter } from './audit-writer.ts';
import { applyAuditFilter } from './audit-filter.ts';
import { fromAuditColumns, type AuditColumns } from './audit-rows.ts';
import { verifyAuditChain } from './audit-verify.ts';
import { knexOf } from './sql-values.ts';

/** `AuditLog` plus what start-up needs to seed the request id generator. */
export interface AuditRepository extends AuditLog {
  /**
   * Appends `entries` and writes `rows` of other tables in one transaction, all or nothing (the
   * gateway's journal, gateway-journal-repository.ts); resolves once committed.
   */
  commit(entries: readonly NewAuditEntry[], rows: readonly RowWrite[]): Promise<AuditEntry[]>;
  /** The greatest request id in the log by (second, counter), or null when there is none. */
  lastRequestId(): Promise<string | null>;
}

/** The pino-compatible subset the repository logs retries with. */
export interface AuditRepositoryLogger {
  warn(obj: object, msg?: string): void;
}

export interface AuditRepositoryOptions {
  /** HMAC key (`GATEHOUSE_AUDIT_KEY`); null hashes with plain SHA-256. Verify with the key you append with. */
  key: Buffer | null;
  /** Clock for `at`, read once per append inside its transaction. */
  now?: () => Date;
  log?: AuditRepositoryLogger;
}

const MAX_APPEND_ATTEMPTS = 5;
const REQUEST_ID_CANDIDATES = 100;

/**
 * The audit log on MikroORM's connection (DESIGN §7), through knex: appends are rows written in
 * transactions that may carry other callers' appends too, reads are pages of plain rows. `em` is called once per operation and should return
 * a fresh fork owned by the repository; do not call `append` from inside another transaction on the
 * same SQLite connection (it needs the connection for its own transaction).
 *
 * Create ONE repository per process and share it: appends go through one group-committing writer
 * (audit-writer.ts), so this instance never races itself and concurrent appends share a
 * transaction, and the database constraints plus retries (audit-append.ts) settle races between
 * instances. After its first commit the repository knows the head it wrote, so later commits do not
 * read it until another writer moves it.
 */
export function createAuditRepository(em: () => EntityManager, options: AuditRepositoryOptions): AuditRepository {
  const knex = () => knexOf(em());
  const settings = {
    key: options.key,
    now: options.now ?? (() => new Date()),
    maxAttempts: MAX_APPEND_ATTEMPTS,
    onRetry: (attempt: number, err: unknown) => options.log?.warn({ attempt, err }, 'audit append lost a race for the chain head; retrying'),
  };
  const writer = createAuditWriter(knex, settings);

  return {
    async append(entry) {
      const [stored] = await writer.commit([entry], []);
      if (!stored) throw new Error('audit append: the commit returned no entry');
      return stored;
    },

    commit: (entries, rows) => writer.commit(entries, rows),

    verify() {
      return verifyAuditChain(knex, options.key);
    },

    /**
     * Newest first by seq; `after` is the seq of the last entry already seen. Returns up to
     * `limit + 1` entries, like the other stores' lists, so `toConnection` can tell whether another
     * page follows.
     */
    async list(filter, after, limit) {
      const query = applyAuditFilter(knex()('audit_events').select('*'), filter);
      if (after !== null) query.where('seq', '<', after);
      const rows: AuditColumns[] = await query.orderBy('seq', 'desc').limit(limit + 1);
      return rows.map(fromAuditColumns);
    },

    /** Oldest first from `seq + 1`, every run included: a replay of the chain as it was written. */
    async entriesAfter(seq, limit) {
      const rows: AuditColumns[] = await knex()('audit_events').select('*').where('seq', '>', seq).orderBy('seq', 'asc').limit(limit);
      return rows.map(fromAuditColumns);
    },

    async count(filter) {
      const [row] = await applyAuditFilter(knex()('audit_events').count({ n: '*' }), filter);
      return Number(row?.n ?? 0);
    },

    /**
     * Ids are `req_YYYYMMDD_HHMMSS_` (20 fixed-width characters) plus a counter that widens past 999,
     * so text order is wrong (`_1000` < `_999`) but (prefix, counter length, text) is right for
     * well-formed ids. Candidates come in that order and the first that parses is the greatest;
     * rows that are not request ids of this shape are skipped.
     *
     * DIALECT NOTE (no branch needed): LIKE ignores ASCII case on SQLite and not on PostgreSQL, so
     * SQLite may also offer `REQ…` rows; `isRequestId` rejects them, and the answer is the same on
     * both. `substr` and `length` mean the same on both.
     */
    async lastRequestId() {
      for (let offset = 0; ; offset += REQUEST_ID_CANDIDATES) {
        const rows: { request_id: string }[] = await knex()('audit_events')
          .select('request_id') // not DISTINCT: PostgreSQL refuses ORDER BY expressions outside a DISTINCT list
          .where('request_id', 'like', 'req%')
          .orderByRaw('substr(request_id, 1, 20) desc, length(request_id) desc, request_id desc')
          .limit(REQUEST_ID_CANDIDATES)
          .offset(offset);
        for (const { request_id: id } of rows) if (isRequestId(id)) return id;
        if (rows.length < REQUEST_ID_CANDIDATES) return null;
      }
    },
  };
}

function isRequestId(value: string): boolean {
  try {
    parseRequestId(value);
    return true;
  } catch {
    return false;
  }
}
