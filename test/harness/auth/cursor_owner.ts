import type { ConnectionState } from '../connection_state.js';

/**
 * Who opened a cursor, as a comparable key: the authenticated user names (`db.user`), empty when unauthenticated.
 * mongod lets only the same user continue (getMore) or kill a cursor (AuthorizationSession::isCoauthorizedWith).
 */
export function cursorOwnerKey(conn: ConnectionState): string {
  return conn.users.map((u) => `${u.db}.${u.user}`).sort().join(',');
}
