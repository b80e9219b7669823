import type { EntityManager } from '@mikro-orm/knex';
import type { RuleState } from '../../engine/tagging/rule-state.ts';
import type { RuleStateStore } from '../../engine/tagging/tag-store.ts';
import { RuleStateHistoryEntity, type RuleStateHistoryRow } from '../entities/rule-state-history.entity.ts';
import { RuleStateEntity, type RuleStateRow } from '../entities/rule-state.entity.ts';

function toRuleState(row: RuleStateRow | RuleStateHistoryRow): RuleState {
  return {
    ruleId: row.ruleId,
    state: row.state,
    confidenceMax: row.confidenceMax,
    expiresAt: row.expiresAt,
    reason: row.reason,
    setBy: row.setBy,
    setAt: row.setAt,
  };
}

export interface RuleStateRepositoryOptions {
  /** Clock for the `setAt` of `clear` history rows. */
  now?: () => Date;
}

/**
 * Operator-set rule states and their history (DESIGN §6). Each change and its history row are
 * written in one transaction, so the history never misses or invents a change. `em` must return a
 * fork owned by the caller. `remove` records who cleared the state and why; a `clear` row records
 * the state the rule returned to (enabled), when, who and why.
 */
export function createRuleStateRepository(em: () => EntityManager, options: RuleStateRepositoryOptions = {}): RuleStateStore {
  const now = options.now ?? (() => new Date());
  return {
    async all() {
      const rows = await em().find(RuleStateEntity, {}, { orderBy: { ruleId: 'asc' }, disableIdentityMap: true });
      return rows.map(toRuleState);
    },

    async put(state) {
      await em().transactional(async (tx) => {
        const row = toRuleState(state);
        await tx.upsert(RuleStateEntity, row);
        await tx.insert(RuleStateHistoryEntity, { ...row, action: 'set' });
      });
    },

    async remove(ruleId, by, reason) {
      return em().transactional(async (tx) => {
        const deleted = await tx.nativeDelete(RuleStateEntity, { ruleId });
        if (deleted === 0) return false;
        await tx.insert(RuleStateHistoryEntity, {
          ruleId,
          action: 'clear',
          state: 'enabled',
          confidenceMax: null,
          expiresAt: null,
          reason,
          setBy: by,
          setAt: now(),
        });
        return true;
      });
    },

    async history(ruleId, limit) {
      const rows = await em().find(RuleStateHistoryEntity, { ruleId }, { orderBy: { id: 'desc' }, limit, disableIdentityMap: true });
      return rows.map((row) => ({ ...toRuleState(row), action: row.action }));
    },
  };
}
