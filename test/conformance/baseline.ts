import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { SuiteName } from './spec_loader.js';

/**
 * The conformance ratchet: the number of passing tests per suite that the server must keep. It only goes up
 * (`--update-baseline`), and `--check-baseline` fails the run when a suite passes fewer tests than recorded.
 */

/** Passing-test counts per suite. */
export type Baseline = Partial<Record<SuiteName, { passed: number }>>;

/** Reads the baseline file; an empty baseline when it does not exist. */
export function readBaseline(path: string): Baseline {
  if (!existsSync(path)) return {};
  return JSON.parse(readFileSync(path, 'utf8')) as Baseline;
}

/** The suites whose pass count fell below the baseline, as messages (empty when none did). */
export function baselineRegressions(baseline: Baseline, passed: Readonly<Record<SuiteName, number>>): string[] {
  const regressions: string[] = [];
  for (const [suite, entry] of Object.entries(baseline) as [SuiteName, { passed: number }][]) {
    const now = passed[suite] ?? 0;
    if (now < entry.passed) regressions.push(`${suite}: ${now} passed, baseline ${entry.passed}`);
  }
  return regressions;
}

/** The baseline raised to `passed` where that is higher; never lowered. */
export function raisedBaseline(baseline: Baseline, passed: Readonly<Record<SuiteName, number>>): Baseline {
  const raised: Baseline = { ...baseline };
  for (const [suite, now] of Object.entries(passed) as [SuiteName, number][]) {
    raised[suite] = { passed: Math.max(baseline[suite]?.passed ?? 0, now) };
  }
  return raised;
}

/** Writes the baseline file (sorted keys, trailing newline). */
export function writeBaseline(path: string, baseline: Baseline): void {
  const sorted = Object.fromEntries(Object.entries(baseline).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(path, `${JSON.stringify(sorted, null, 2)}\n`);
}
