/**
 * SQLITE-ONLY: one INSERT for any number of rows, given as ONE value — a JSON array of rows (each
 * an array of values in `columns` order) that SQLite unpacks with `json_each`, as bulk-insert.ts
 * `insertSqlite` does for the tagging tables. `rows` is the SQL for that value: a `?` parameter (the
 * default), or the JSON as a literal (sqlite-session.ts `sqlLiteral`) for a statement run by `exec`. `->>` yields SQL text, numbers or NULL (JSON
 * true/false become 1/0, as the driver binds booleans). `onConflict` appends an ON CONFLICT clause;
 * `where true` keeps SQLite from reading it as part of the SELECT's join.
 */
export function jsonRowsInsertSql(table: string, columns: readonly string[], rows = '?', onConflict = ''): string {
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  return (
    `with r (i, v) as materialized (select key, value from json_each(${rows})) ` +
    `insert into ${quote(table)} (${columns.map(quote).join(', ')}) ` +
    `select ${columns.map((_, i) => `r.v ->> ${i}`).join(', ')} from r where true order by r.i` +
    (onConflict ? ` ${onConflict}` : '')
  );
}

/** `on conflict (<key>) do update` setting every other column to the new row's value. */
export function replaceOnConflict(key: string, columns: readonly string[]): string {
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  return `on conflict (${quote(key)}) do update set ${columns.filter((c) => c !== key).map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}`;
}

/** The JSON parameter for `jsonRowsInsertSql`: rows as value arrays, dates as epoch milliseconds. */
export function jsonRowsParameter(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  return JSON.stringify(rows.map((row) => columns.map((c) => (row[c] instanceof Date ? (row[c] as Date).getTime() : (row[c] ?? null)))));
}
