import type { ArgBuilder, ObjectRef } from '@pothos/core';
import type { Connection, Edge } from '../engine/pagination.ts';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../engine/pagination.ts';
import type { Builder, Types } from './builder.ts';

/**
 * Forward-only Relay connections (`first`/`after`, `totalCount`) for every list in the schema.
 * Pothos' relay helper also adds `last`/`before`, which Gatehouse does not serve, so the types are
 * declared here from the one engine pagination helper.
 */
export function connectionType<T>(builder: Builder, name: string, node: ObjectRef<Types, T>) {
  const edge = builder.objectRef<Edge<T>>(`${name}Edge`).implement({
    description: `One ${name} in a page, with the cursor to resume after it.`,
    fields: (t) => ({
      cursor: t.exposeString('cursor'),
      // Pothos cannot relate a generic T to its resolver result type; the ref guarantees the shape.
      node: t.field({ type: node, resolve: (e) => e.node as never }),
    }),
  });
  return builder.objectRef<Connection<T>>(`${name}Connection`).implement({
    description: `A page of ${name} objects.`,
    fields: (t) => ({
      edges: t.field({ type: [edge], resolve: (c) => c.edges }),
      pageInfo: t.field({ type: builder.pageInfoRef(), resolve: (c) => c.pageInfo }),
      totalCount: t.exposeInt('totalCount', { description: 'Number of objects matching the filter, across all pages.' }),
    }),
  });
}

/** The `first`/`after` arguments with the documented default and maximum. */
export function pageArgs(arg: ArgBuilder<Types>) {
  return {
    first: arg.int({
      required: false,
      defaultValue: PAGE_SIZE_DEFAULT,
      description: `Page size, 0 to ${PAGE_SIZE_MAX} (default ${PAGE_SIZE_DEFAULT}).`,
    }),
    after: arg.string({ required: false, description: 'Cursor of the last object already seen; only valid with the same filter.' }),
  };
}
