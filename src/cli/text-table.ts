/** Plain-text tables for CLI reports: a header, a rule line, and columns padded to their widest cell. */
export function table(header: string[], rows: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A ratio with three decimals, or `-` when it is undefined (null). */
export const fraction = (value: number | null) => (value === null ? '-' : value.toFixed(3));

export const truncate = (text: string, width: number) => (text.length <= width ? text : `${text.slice(0, width - 1)}…`);
