/**
 * Waiting in tests for something that happens on another process's schedule (a running `sync start`, a TTL
 * monitor): poll a predicate until it holds or a deadline passes. Errors from the predicate count as "not yet"
 * (a server restarting, a collection not created yet).
 */

/** Polls `predicate` until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(predicate: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return false;
}

/** Like {@link waitFor}, but throws naming `what` when the deadline passes. */
export async function eventually(what: string, predicate: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  if (!(await waitFor(predicate, timeoutMs, 200))) throw new Error(`timed out waiting for ${what}`);
}
