import { ApiTokenEntity } from './api-token.entity.ts';
import { AuditEventEntity } from './audit-event.entity.ts';
import { EventEntity } from './event.entity.ts';
import { RuleStateHistoryEntity } from './rule-state-history.entity.ts';
import { RuleStateEntity } from './rule-state.entity.ts';
import { TagEntity } from './tag.entity.ts';
import { TaggedEventEntity } from './tagged-event.entity.ts';

export const ENTITIES = [ApiTokenEntity, EventEntity, TagEntity, TaggedEventEntity, RuleStateEntity, RuleStateHistoryEntity, AuditEventEntity];
