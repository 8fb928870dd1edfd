/**
 * A horizontal bar chart rendered as SVG text, for the README: one bar per measurement, an optional target tick on
 * each bar, and footnote lines under the chart. Bars are green when their target is met, red when missed, grey when
 * they have none.
 */

export interface ChartBar {
  readonly label: string;
  readonly value: number;
  /** Shown as a dashed tick across the bar, with "target" in the value label. */
  readonly target?: number;
  /** The target is a ceiling (latency, memory): the bar is green at or below it. */
  readonly lowerIsBetter?: boolean;
  /** This bar's unit when it differs from the chart's; bars of each unit share a scale of their own. */
  readonly unit?: string;
}

export interface BarChart {
  readonly title: string;
  /** Unit of the values, e.g. "docs/s". */
  readonly unit: string;
  readonly bars: readonly ChartBar[];
  readonly footnotes?: readonly string[];
}

const WIDTH = 760;
const LABEL_WIDTH = 230;
const VALUE_WIDTH = 190;
const BAR_HEIGHT = 22;
const ROW_HEIGHT = 34;
const TOP = 48;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function formatValue(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function colorOf(bar: ChartBar): string {
  if (bar.target === undefined) return '#7f8c8d';
  const met = bar.lowerIsBetter ? bar.value <= bar.target : bar.value >= bar.target;
  return met ? '#2e8b57' : '#c0392b';
}

/** The chart as a complete SVG document. */
export function renderBarChart(chart: BarChart): string {
  const footnotes = chart.footnotes ?? [];
  const plotWidth = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const unitOf = (b: ChartBar) => b.unit ?? chart.unit;
  const maxByUnit = new Map<string, number>();
  for (const b of chart.bars) maxByUnit.set(unitOf(b), Math.max(maxByUnit.get(unitOf(b)) ?? 1, b.value, b.target ?? 0));
  const height = TOP + chart.bars.length * ROW_HEIGHT + 16 + footnotes.length * 18 + 8;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="26" font-size="16" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  chart.bars.forEach((bar, i) => {
    const y = TOP + i * ROW_HEIGHT;
    const scale = (v: number) => (v / maxByUnit.get(unitOf(bar))!) * plotWidth;
    const w = Math.max(1, scale(bar.value));
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + 15}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${w.toFixed(1)}" height="${BAR_HEIGHT}" fill="${colorOf(bar)}"/>`,
    );
    if (bar.target !== undefined) {
      const x = LABEL_WIDTH + scale(bar.target);
      parts.push(`<line x1="${x.toFixed(1)}" y1="${y - 4}" x2="${x.toFixed(1)}" y2="${y + BAR_HEIGHT + 4}" stroke="#222" stroke-width="2" stroke-dasharray="4 3"/>`);
    }
    const label = `${formatValue(bar.value)} ${unitOf(bar)}` + (bar.target !== undefined ? ` (target ${formatValue(bar.target)})` : '');
    parts.push(`<text x="${LABEL_WIDTH + plotWidth + 8}" y="${y + 15}">${escapeXml(label)}</text>`);
  });
  footnotes.forEach((note, i) => {
    parts.push(`<text x="12" y="${TOP + chart.bars.length * ROW_HEIGHT + 16 + i * 18}" fill="#444" font-size="12">${escapeXml(note)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
