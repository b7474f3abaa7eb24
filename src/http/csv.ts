// Spreadsheets run a cell that starts with one of these as a formula (CSV injection), and read
// "+12125550100" as a number. A leading apostrophe makes such a cell plain text in both cases.
const FORMULA_START = /^[=+\-@\t\r]/;

type Cell = string | number | boolean | null | undefined;

function cell(value: Cell): string {
  const text = value === null || value === undefined ? '' : String(value);
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** CSV text (RFC 4180, CRLF) with a header row; every value is kept as text. */
export function toCsv<K extends string>(
  columns: readonly K[],
  rows: readonly Record<K, Cell>[],
): string {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
