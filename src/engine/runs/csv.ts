/**
 * RFC 4180 CSV: a field with a comma, quote, CR or LF is quoted and its quotes doubled; lines end
 * with CRLF; null and undefined are empty fields. Our own twenty lines beat a dependency here.
 */
export type CsvValue = string | number | boolean | null | undefined;

const field = (value: CsvValue): string => {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}
