import type { ServerState } from '../engine/server_state.js';
import type { ConnectionState } from '../connection_state.js';

/** Roles whose privileges include bypassWriteBlockingMode (mongod: root and restore, plus __system). */
const BYPASS_ROLES: ReadonlySet<string> = new Set(['root', 'restore', '__system']);

/**
 * Whether the connection may write while user writes are blocked: always without auth (as mongod without
 * --auth), otherwise when one of its users holds an admin role carrying bypassWriteBlockingMode.
 */
export function mayBypassWriteBlocking(state: ServerState, conn: ConnectionState): boolean {
  if (!state.authEnabled) return true;
  return conn.users.some((u) => u.roles.some((r) => r.db === 'admin' && BYPASS_ROLES.has(r.role)));
}
