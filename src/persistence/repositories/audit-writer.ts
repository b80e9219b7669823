import type { Knex } from '@mikro-orm/knex';
import type { AuditEntry, NewAuditEntry } from '../../engine/gateway/audit.ts';
import type { ChainPosition } from '../../engine/gateway/audit-hash.ts';
import { hashable, writeAuditUnits, type AppendSettings, type RowWrite } from './audit-append.ts';

/** Units one transaction takes at most; what arrives meanwhile waits for the next. */
const MAX_UNITS_PER_COMMIT = 128;

interface Pending {
  unit: { entries: NewAuditEntry[]; rows: readonly RowWrite[] };
  resolve(entries: AuditEntry[]): void;
  reject(err: unknown): void;
}

export interface AuditWriter {
  /**
   * Commits `entries` (appended to the chain in order) and `rows` all-or-nothing and resolves with
   * the stored entries once they are committed; rejects if they could not be, with nothing written.
   */
  commit(entries: readonly NewAuditEntry[], rows: readonly RowWrite[]): Promise<AuditEntry[]>;
}

/**
 * Group commit for the audit chain: one writer per process, so this instance never races itself.
 * While a transaction is in flight, the units that arrive queue; when it ends, the next transaction
 * takes all of them (up to MAX_UNITS_PER_COMMIT), in arrival order. Under load a commit carries many
 * requests' entries for the cost of one; alone, a unit is committed at once.
 *
 * A batch that fails for a reason other than a lost race (which `writeAuditUnits` retries) is
 * retried one unit at a time, so a unit the database refuses fails its own caller only. After its
 * first commit the writer knows the head it wrote and skips reading it until another writer moves
 * it (see audit-append.ts).
 */
export function createAuditWriter(knex: () => Knex, settings: AppendSettings): AuditWriter {
  const queue: Pending[] = [];
  let draining = false;
  /** The head this instance last wrote; null until its first commit (or after a failure). */
  let head: ChainPosition | null = null;

  const write = async (batch: readonly Pending[]): Promise<AuditEntry[][]> => {
    try {
      const stored = await writeAuditUnits(knex, batch.map((p) => p.unit), settings, head);
      const last = stored.flat().at(-1);
      if (last) head = { seq: last.seq, hash: last.hash };
      return stored;
    } catch (err) {
      head = null;
      throw err;
    }
  };

  const settle = async (batch: Pending[]): Promise<void> => {
    try {
      const stored = await write(batch);
      batch.forEach((p, i) => p.resolve(stored[i] ?? []));
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
      for (const p of batch) {
        try {
          p.resolve((await write([p]))[0] ?? []);
        } catch (own) {
          p.reject(own);
        }
      }
    }
  };

  const drain = async () => {
    draining = true;
    try {
      while (queue.length > 0) await settle(queue.splice(0, MAX_UNITS_PER_COMMIT));
    } finally {
      draining = false;
    }
  };

  return {
    commit(entries, rows) {
      let unit: Pending['unit'];
      try {
        // Values JSON cannot store fail this caller before anything is queued.
        unit = { entries: entries.map(hashable), rows };
      } catch (err) {
        return Promise.reject(err);
      }
      return new Promise<AuditEntry[]>((resolve, reject) => {
        queue.push({ unit, resolve, reject });
        if (!draining) void drain();
      });
    },
  };
}
