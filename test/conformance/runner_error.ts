/**
 * A problem of the runner or of the test file (an undefined entity, an operation or option the runner does not
 * implement), as opposed to a server behaviour that does not match the expectation. The report keeps the two apart so
 * that runner gaps are never blamed on the server.
 */
export class RunnerError extends Error {
  override name = 'RunnerError';
}

/** Raised when an operation does not finish within the runner's per-operation bound. */
export class OperationTimeoutError extends Error {
  override name = 'OperationTimeoutError';
}
