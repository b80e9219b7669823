import { EntitySchema } from '@mikro-orm/core';
import type { RuleStateName } from '../../engine/tagging/rule-state.ts';

/** Row shape of `rule_states`: the operator-set state of a rule; no row means enabled. */
export interface RuleStateRow {
  ruleId: string;
  state: RuleStateName;
  confidenceMax: number | null;
  expiresAt: Date | null;
  reason: string | null;
  setBy: string | null;
  setAt: Date;
}

export const RuleStateEntity = new EntitySchema<RuleStateRow>({
  name: 'RuleState',
  tableName: 'rule_states',
  properties: {
    ruleId: { type: 'string', primary: true, length: 100 },
    state: { type: 'string', length: 16 },
    confidenceMax: { type: 'double', runtimeType: 'number', nullable: true },
    expiresAt: { type: 'datetime', nullable: true },
    reason: { type: 'string', length: 500, nullable: true },
    setBy: { type: 'string', length: 100, nullable: true },
    setAt: { type: 'datetime' },
  },
});
