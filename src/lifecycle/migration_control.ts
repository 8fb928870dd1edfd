/**
 * What the CLI's control commands and the HTTP API ask of a migration, and the interface through which the API of
 * a running `sync start` process reaches its lifecycle (src/api/ depends on this file only, not on how the
 * lifecycle carries a request out).
 */
import type { MigrationProgress } from './migration_status.js';

/** The requests, named after mongosync's `/api/v1/<action>` endpoints. */
export const CONTROL_ACTIONS = Object.freeze(['start', 'pause', 'resume', 'commit', 'reverse'] as const);
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/** A running migration as the HTTP API sees it. */
export interface MigrationControl {
  /** The progress document (mongosync's `/api/v1/progress` fields). */
  progress(): Promise<MigrationProgress>;
  /**
   * Asks for a transition. Resolves once the request is accepted (a commit is accepted when COMMITTING starts, not
   * when it ends); rejects with a StateError (`STATE-3001`) when the migration's state does not allow it.
   */
  request(action: ControlAction): Promise<void>;
}
