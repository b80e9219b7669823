/**
 * RFC 4180 CSV for the export tables (issue #5 §10). A field holding a comma, a double quote, CR or LF
 * is wrapped in quotes with its quotes doubled; every row, the header included, ends in CRLF; null and
 * undefined are empty fields; numbers are written as plain decimals (never `1e-7`), so spreadsheets and
 * `csv` readers agree on them. One function is not worth a dependency.
 */
export type CsvValue = string | number | boolean | null | undefined;

function decimal(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`csv: a number field must be finite, got ${n}`);
  const text = String(n);
  if (!/e/i.test(text)) return text;
  if (Number.isInteger(n)) return BigInt(n).toString();
  // Tiny magnitudes: JavaScript switches to exponent form below 1e-6; spell the digits out instead.
  return n.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? decimal(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  let out = `${header.map(csvField).join(',')}\r\n`;
  for (const row of rows) out += `${row.map(csvField).join(',')}\r\n`;
  return out;
}
