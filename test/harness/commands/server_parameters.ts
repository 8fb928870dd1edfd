import { Int32, Long, type Document } from 'bson';
import type { ServerState } from '../engine/server_state.js';
import { LOGICAL_SESSION_TIMEOUT_MINUTES } from '../engine/sessions.js';

/** One server parameter as getParameter reports it. */
export interface ServerParameter {
  /** Current value (before any setParameter). */
  value: (state: ServerState) => unknown;
  settableAtRuntime: boolean;
  settableAtStartup: boolean;
}

/**
 * The server parameters this server reports (a subset of mongod 7.0's, with its defaults). Values changed with
 * setParameter are kept in `state.parameters` and win over these.
 */
export const SERVER_PARAMETERS: Readonly<Record<string, ServerParameter>> = Object.freeze({
  authenticationMechanisms: { value: () => ['SCRAM-SHA-1', 'SCRAM-SHA-256'], settableAtRuntime: false, settableAtStartup: true },
  cursorTimeoutMillis: { value: () => Long.fromNumber(600_000), settableAtRuntime: true, settableAtStartup: true },
  enableTestCommands: { value: () => true, settableAtRuntime: false, settableAtStartup: true },
  featureCompatibilityVersion: { value: () => ({ version: '7.0' }), settableAtRuntime: false, settableAtStartup: false },
  localLogicalSessionTimeoutMinutes: { value: () => new Int32(LOGICAL_SESSION_TIMEOUT_MINUTES), settableAtRuntime: false, settableAtStartup: true },
  logLevel: { value: () => new Int32(0), settableAtRuntime: true, settableAtStartup: true },
  maxTransactionLockRequestTimeoutMillis: { value: () => new Int32(5), settableAtRuntime: true, settableAtStartup: true },
  notablescan: { value: () => false, settableAtRuntime: true, settableAtStartup: true },
  periodicNoopIntervalSecs: { value: (s) => new Int32(Math.round(s.options.noopIntervalMs / 1000)), settableAtRuntime: false, settableAtStartup: true },
  quiet: { value: () => false, settableAtRuntime: true, settableAtStartup: true },
  requireApiVersion: { value: () => false, settableAtRuntime: true, settableAtStartup: true },
  transactionLifetimeLimitSeconds: { value: () => new Int32(60), settableAtRuntime: true, settableAtStartup: true },
  ttlMonitorEnabled: { value: () => true, settableAtRuntime: true, settableAtStartup: true },
  ttlMonitorSleepSecs: { value: (s) => new Int32(Math.round(s.options.ttlMonitorIntervalMs / 1000)), settableAtRuntime: false, settableAtStartup: true },
});

/** The current value of a parameter (a setParameter value when one was set). */
export function parameterValue(state: ServerState, name: string): unknown {
  if (state.parameters.has(name)) return state.parameters.get(name);
  return SERVER_PARAMETERS[name]?.value(state);
}

/** Parameter names in getParameter's order (alphabetical, as mongod's map iterates). */
export function parameterNames(): string[] {
  return Object.keys(SERVER_PARAMETERS).sort();
}

/** The `{value, settableAtRuntime, settableAtStartup}` form of `getParameter: {showDetails: true}`. */
export function parameterDetails(state: ServerState, name: string): Document {
  const p = SERVER_PARAMETERS[name];
  return { value: parameterValue(state, name), settableAtRuntime: p.settableAtRuntime, settableAtStartup: p.settableAtStartup };
}
