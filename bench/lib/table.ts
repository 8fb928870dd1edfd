/** Plain-text tables for the terminal and Markdown tables for the README. */

/** Right-aligns numbers, left-aligns everything else. */
function isNumeric(cell: string): boolean {
  return /^[-+]?[\d,.]+\s*(?:[%x×]|MB|s)?$/.test(cell);
}

/** A table with a header row and a separator, columns padded to their widest cell. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (isNumeric(c) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The same table in Markdown. */
export function formatMarkdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** 123456.7 -> "123,457". */
export function formatInteger(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A value with a fixed number of decimals. */
export function formatFixed(value: number, digits: number): string {
  return value.toFixed(digits);
}
