/** Writes a suite's results as `bench/results/<suite>.json` and its chart as `bench/results/<suite>.svg`. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MachineFacts } from './machine.js';
import { renderBarChart, type BarChart } from './svg_chart.js';

export const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** What a suite reports: the JSON file's content. */
export interface SuiteReport {
  readonly suite: string;
  readonly machine: MachineFacts;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly results: unknown;
  /** The text table printed on the terminal. */
  readonly table: string;
  /** Explanations printed under the table and kept in the JSON. */
  readonly notes: readonly string[];
}

/** Writes both files and returns their paths. */
export async function writeSuiteResults(report: SuiteReport, chart: BarChart): Promise<{ json: string; svg: string }> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const json = path.join(RESULTS_DIR, `${report.suite}.json`);
  const svg = path.join(RESULTS_DIR, `${report.suite}.svg`);
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(svg, renderBarChart(chart));
  return { json, svg };
}
