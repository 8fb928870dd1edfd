import { SUITES, type SuiteName } from './spec_loader.js';
import { TEST_STATUS, type TestResult } from './test_result.js';

/** Pass/fail counts of a set of tests. */
export interface Counts {
  /** Tests that ran (runOnRequirements met, no skipReason). */
  applicable: number;
  passed: number;
  failed: number;
  notApplicable: number;
}

/** Totals of one suite, with the index's "plain" subset (tests without notable features). */
export interface SuiteTotals {
  suite: SuiteName;
  all: Counts;
  plain: Counts;
  /** Passed tests whose assertions are client-side only (see TestResult.clientSideOnly). */
  clientSideOnlyPassed: number;
  /** Tests where the runner's applicability differs from the index's runnable_rs_7.0 column. */
  indexDisagreements: string[];
}

/** Counts the verdicts of `results`. */
export function countResults(results: readonly TestResult[]): Counts {
  const counts: Counts = { applicable: 0, passed: 0, failed: 0, notApplicable: 0 };
  for (const result of results) {
    if (result.status === TEST_STATUS.passed) counts.passed += 1;
    else if (result.status === TEST_STATUS.failed) counts.failed += 1;
    else counts.notApplicable += 1;
  }
  counts.applicable = counts.passed + counts.failed;
  return counts;
}

/** Totals per suite, in the order of SUITES. */
export function suiteTotals(results: readonly TestResult[]): SuiteTotals[] {
  return (Object.keys(SUITES) as SuiteName[]).map((suite) => {
    const mine = results.filter((r) => r.suite === suite);
    return {
      suite,
      all: countResults(mine),
      plain: countResults(mine.filter((r) => r.plain === true)),
      clientSideOnlyPassed: mine.filter((r) => r.clientSideOnly && r.status === TEST_STATUS.passed).length,
      indexDisagreements: mine
        .filter((r) => r.indexRunnable !== undefined && r.indexRunnable !== (r.status !== TEST_STATUS.notApplicable))
        .map((r) => `${r.file}: ${r.description} (index runnable=${String(r.indexRunnable)}, runner ${r.status})`),
    };
  });
}

function rate(counts: Counts): string {
  return counts.applicable === 0 ? '-' : `${((100 * counts.passed) / counts.applicable).toFixed(1)}%`;
}

function pad(text: string | number, width: number, right = false): string {
  const s = String(text);
  return right ? s.padStart(width) : s.padEnd(width);
}

/** The per-file table: file, passed, failed, not applicable. */
export function formatFileTable(results: readonly TestResult[]): string {
  const files = new Map<string, TestResult[]>();
  for (const result of results) {
    const key = `${result.suite}/${result.file}`;
    files.set(key, [...(files.get(key) ?? []), result]);
  }
  const width = Math.max(4, ...[...files.keys()].map((k) => k.length));
  const lines = [`${pad('file', width)}  ${pad('passed', 6, true)}  ${pad('failed', 6, true)}  ${pad('n/a', 4, true)}`];
  for (const [file, mine] of files) {
    const c = countResults(mine);
    lines.push(`${pad(file, width)}  ${pad(c.passed, 6, true)}  ${pad(c.failed, 6, true)}  ${pad(c.notApplicable, 4, true)}`);
  }
  return lines.join('\n');
}

/** The per-suite totals, with pass rates against the applicable count. */
export function formatTotals(totals: readonly SuiteTotals[]): string {
  const header = `${pad('suite', 22)}  ${pad('applicable', 10, true)}  ${pad('passed', 6, true)}  ${pad('failed', 6, true)}  ${pad('n/a', 4, true)}  ${pad('pass rate', 9, true)}`;
  const row = (name: string, c: Counts): string =>
    `${pad(name, 22)}  ${pad(c.applicable, 10, true)}  ${pad(c.passed, 6, true)}  ${pad(c.failed, 6, true)}  ${pad(c.notApplicable, 4, true)}  ${pad(rate(c), 9, true)}`;
  const lines = [header];
  for (const t of totals) {
    lines.push(row(t.suite, t.all));
    if (t.plain.applicable + t.plain.notApplicable > 0) lines.push(row(`  ${t.suite} (plain)`, t.plain));
  }
  const clientSide = totals.filter((t) => t.clientSideOnlyPassed > 0).map((t) => `${t.suite} ${t.clientSideOnlyPassed}`);
  if (clientSide.length > 0) {
    lines.push(
      `(of the passes, client-side only: expectEvents or driver-side validation errors, not a server check: ${clientSide.join(', ')})`,
    );
  }
  return lines.join('\n');
}

/** Failures grouped by cause, most frequent first: "count  suite  cause". */
export function formatCauses(results: readonly TestResult[], limit = Number.POSITIVE_INFINITY): string {
  const groups = new Map<string, number>();
  for (const result of results) {
    if (result.status !== TEST_STATUS.failed) continue;
    const key = `${result.suite}\t${result.cause}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  const sorted = [...groups.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = sorted.slice(0, limit).map(([key, n]) => {
    const [suite, cause] = key.split('\t');
    return `${pad(n, 4, true)}  ${pad(suite ?? '', 14)}  ${cause ?? ''}`;
  });
  if (sorted.length > shown.length) shown.push(`  … ${sorted.length - shown.length} more causes (--verbose lists all)`);
  return shown.join('\n');
}

/** Every failure with its reason (for --verbose). */
export function formatFailures(results: readonly TestResult[]): string {
  return results
    .filter((r) => r.status === TEST_STATUS.failed)
    .map((r) => `FAIL ${r.suite}/${r.file}: ${r.description}\n     ${r.reason}`)
    .join('\n');
}
