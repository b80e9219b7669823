import type { Migration } from '@mikro-orm/migrations';

type SchemaBuilder = ReturnType<Migration['getKnex']>['schema'];

/**
 * The statements of a knex schema builder, one string each, for `addSql`. Why not `toQuery()`:
 * it joins a table and its indexes with ";\n" into one string, and the sqlite3 driver runs only
 * the first statement of a string, so the indexes were silently never created (migration 0001's
 * `api_tokens` index is missing on SQLite for exactly this reason; 0002 repairs it).
 */
export function schemaStatements(builder: SchemaBuilder): string[] {
  return builder.toSQL().map((statement) => {
    if (statement.bindings.length > 0) throw new Error(`migration statement has bindings, which addSql cannot carry: ${statement.sql}`);
    return statement.sql;
  });
}
