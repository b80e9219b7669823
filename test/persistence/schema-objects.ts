import type { Database } from '../../src/persistence/database.ts';

/**
 * Names of the tables or indexes the migrations created, from the dialect's own catalogue, so the
 * migration tests check the real schema on SQLite and on PostgreSQL. Left out: SQLite's internal
 * objects and PostgreSQL's primary-key indexes (SQLite has none for integer keys), so both dialects
 * list the same names. `table` narrows indexes to one table.
 */
export async function schemaObjects(db: Database, type: 'table' | 'index', table?: string): Promise<string[]> {
  const connection = db.fork().getConnection();
  let rows: { name: string }[];
  if (db.dialect === 'postgresql') {
    rows =
      type === 'table'
        ? await connection.execute(`select tablename as name from pg_tables where schemaname = current_schema() order by 1`)
        : await connection.execute(
            `select indexname as name from pg_indexes where schemaname = current_schema() and indexname not like '%\\_pkey' and (? :: text is null or tablename = ?) order by 1`,
            [table ?? null, table ?? null],
          );
  } else {
    rows = await connection.execute(
      `select name from sqlite_master where type = ? and name not like 'sqlite_%' and (? is null or tbl_name = ?) order by name`,
      [type, table ?? null, table ?? null],
    );
  }
  return rows.map((r) => r.name);
}
