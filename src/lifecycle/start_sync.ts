/**
 * `sync start`: preflight, then the initial sync (resumed when the destination already holds this migration).
 */
import type { SyncConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { createClusterClients } from '../topology/clients.js';
import { runPreflight } from './preflight.js';
import { runInitialSync, type InitialSyncResult } from './initial_sync.js';
import { InterruptedError } from '../errors.js';
import type { CopyProgressListener } from './copy_progress.js';

export interface StartSyncOptions {
  readonly config: SyncConfig;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly now?: () => Date;
  readonly onProgress?: CopyProgressListener;
}

/** Runs the initial sync to completion (or until interrupted) and returns what it did. */
export async function startSync(options: StartSyncOptions): Promise<InitialSyncResult> {
  const { config, logger, signal } = options;
  const now = options.now ?? (() => new Date());
  const clients = createClusterClients(config.source.uri, config.destination.uri);
  try {
    const preflight = await runPreflight(clients.source, clients.destination, {
      migrationId: config.id,
      userWriteBlocking: config.enableUserWriteBlocking,
      reversible: config.reversible,
    });
    logger.info('preflight passed', {
      sourceVersion: preflight.source.version,
      destinationVersion: preflight.destination.version,
      sourceTopology: preflight.source.kind,
    });
    const result = await runInitialSync(
      {
        source: clients.source,
        destination: clients.destination,
        config,
        logger,
        signal,
        now,
        sourceDescription: preflight.source,
        destinationDescription: preflight.destination,
        onProgress: options.onProgress,
      },
      preflight.existing,
    );
    if (signal.aborted) throw new InterruptedError('Interrupted; the copy resumes from its checkpoints on the next run.');
    return result;
  } finally {
    await clients.close();
  }
}
