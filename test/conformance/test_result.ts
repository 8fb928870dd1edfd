import type { SuiteName } from './spec_loader.js';

/** Verdicts of one test. */
export const TEST_STATUS = Object.freeze({
  passed: 'passed',
  failed: 'failed',
  notApplicable: 'not-applicable',
} as const);

/** A verdict. */
export type TestStatus = (typeof TEST_STATUS)[keyof typeof TEST_STATUS];

/** The result of one spec test. */
export interface TestResult {
  suite: SuiteName;
  /** File name within the suite folder. */
  file: string;
  /** The test's description. */
  description: string;
  status: TestStatus;
  /** Why it failed (the first mismatch or the unexpected error) or why it is not applicable; empty when passed. */
  reason: string;
  /**
   * For failures, a grouping key made of the failure kind, the operation and the server's codeName or the error's
   * first words, so that failures with one cause are counted together; empty otherwise.
   */
  cause: string;
  /** Whether the suite index lists the test as plain (no notable features); undefined when the index lacks it. */
  plain: boolean | undefined;
  /**
   * True when the test's assertions are client-side only: nothing but expectEvents (not judged), or only errors that
   * the driver raises before sending anything (`isClientError: true`, no fail point). Such a test passes whatever the
   * server does, as long as its other operations succeed; it still counts as applicable, as in the index files.
   */
  clientSideOnly: boolean;
  /** Whether the suite index lists the test as runnable on a 7.0 replica set; undefined when the index lacks it. */
  indexRunnable: boolean | undefined;
}
