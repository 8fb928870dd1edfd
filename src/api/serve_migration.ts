/**
 * The HTTP API of the process that drives a migration: its {@link MigrationControl} reads progress through the
 * process's own connections and files control requests that the process's inbox answers (the same path as
 * `sync pause|commit|...` from another host), so the API and the CLI can never disagree.
 */
import type { SyncConfig } from '../config/schema.js';
import { ERROR_CODES, StateError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { MigrationControl } from '../lifecycle/migration_control.js';
import { initializingProgress, readProgress } from '../lifecycle/migration_status.js';
import { submitAndAwaitAnswer } from '../lifecycle/control_requests.js';
import type { DrivingObserver, DrivingProcess } from '../lifecycle/start_sync.js';
import { startApiServer } from './api_server.js';
import { SyncMetrics } from './metrics.js';

/** Starts the API of a driving process; resolves to what observes the process (its error counter) and stops the API. */
export async function serveMigrationApi(config: SyncConfig, logger: Logger, driving: DrivingProcess): Promise<DrivingObserver> {
  const now = () => new Date();
  const control: MigrationControl = {
    // Before the migration document exists (preflight, first catalog read), the process is INITIALIZING.
    progress: () => readProgress(driving.clients, config, now).catch((error: unknown) => {
      if (error instanceof StateError && error.code === ERROR_CODES.STATE_NO_MIGRATION) return initializingProgress(config);
      throw error;
    }),
    request: async (action) => {
      if ((await submitAndAwaitAnswer(driving.clients.destination, config.id, action, now)) === 'unanswered') {
        throw new StateError(ERROR_CODES.STATE_TRANSITION_NOT_ALLOWED, `The ${action} request was not answered in time.`, {
          hint: 'The process may be busy with a long step (the index restore of a commit); `sync status` shows the state.',
        });
      }
    },
  };
  const metrics = new SyncMetrics(control, { logger });
  const api = await startApiServer({ ...config.api, control, metrics, logger });
  return { countError: (code) => metrics.countError(code), close: () => api.close() };
}
