import { EntitySchema } from '@mikro-orm/core';
import type { RuleStateName } from '../../engine/tagging/rule-state.ts';

/**
 * Row shape of `rule_state_history`: append-only, one row per change. A `set` row holds the state
 * that was set; a `clear` row holds the state the rule returned to (enabled) and when.
 */
export interface RuleStateHistoryRow {
  id: number;
  ruleId: string;
  action: 'set' | 'clear';
  state: RuleStateName;
  confidenceMax: number | null;
  expiresAt: Date | null;
  reason: string | null;
  setBy: string | null;
  setAt: Date;
}

export const RuleStateHistoryEntity = new EntitySchema<RuleStateHistoryRow>({
  name: 'RuleStateHistory',
  tableName: 'rule_state_history',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    ruleId: { type: 'string', length: 100 },
    action: { type: 'string', length: 8 },
    state: { type: 'string', length: 16 },
    confidenceMax: { type: 'double', runtimeType: 'number', nullable: true },
    expiresAt: { type: 'datetime', nullable: true },
    reason: { type: 'string', length: 500, nullable: true },
    setBy: { type: 'string', length: 100, nullable: true },
    setAt: { type: 'datetime' },
  },
});
