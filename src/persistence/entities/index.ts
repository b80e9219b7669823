import { ApiTokenEntity } from './api-token.entity.ts';

export const ENTITIES = [ApiTokenEntity];
