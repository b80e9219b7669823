import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { Context } from '../resolvers/context.ts';

/**
 * The Pothos builder: output fields are non-null and input fields required unless a field says
 * otherwise (DESIGN §5). `createBuilder` returns a new builder so every schema build (and every
 * test) starts clean — nothing is registered at import time.
 */
export interface SchemaTypes {
  Context: Context;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
}

export function createBuilder() {
  return new SchemaBuilder<SchemaTypes>({
    plugins: [RelayPlugin],
    defaultFieldNullability: false,
    defaultInputFieldRequiredness: true,
    relay: {
      clientMutationId: 'omit',
      cursorType: 'String',
      nodesQueryOptions: false,
    },
  });
}

export type Builder = ReturnType<typeof createBuilder>;
export type Types = PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>;
