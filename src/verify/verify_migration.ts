/**
 * `sync verify` from a resolved configuration: connects to both clusters with the migration's own client options
 * (majority reads on both sides), compares them, and closes the connections.
 */
import { MongoNetworkError, MongoServerSelectionError, type MongoClient } from 'mongodb';
import type { SyncConfig } from '../config/schema.js';
import { ERROR_CODES, PreflightError, isSyncError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { createClusterClients } from '../topology/clients.js';
import { connectSide } from '../topology/connect_side.js';
import { verifyClusters } from './cluster_verifier.js';
import type { VerifyReport } from './verify_report.js';

/** Options of {@link verifyMigration}. */
export interface VerifyMigrationOptions {
  readonly config: SyncConfig;
  /** See `VerifyClustersOptions.committed`. */
  readonly committed?: boolean | undefined;
  readonly logger?: Logger | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Compares the configuration's source and destination and returns the report. Unreachable clusters raise a
 * `PreflightError` (PREFLIGHT-2001); differences are in the report, never thrown.
 */
export async function verifyMigration(options: VerifyMigrationOptions): Promise<VerifyReport> {
  const { config } = options;
  const clients = createClusterClients(config.source.uri, config.destination.uri);
  try {
    await Promise.all([connectSide(clients.source, 'source'), connectSide(clients.destination, 'destination')]);
    return await verifyClusters(clients, {
      migrationId: config.id,
      filter: config,
      committed: options.committed,
      indexes: config.buildIndexes === 'never' ? 'idOnly' : 'all',
      concurrency: config.copy.parallelism,
      logger: options.logger,
      signal: options.signal,
    });
  } catch (error) {
    if (!isSyncError(error) && (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError)) {
      throw new PreflightError(ERROR_CODES.PREFLIGHT_CONNECTION_FAILED, `Lost the connection while verifying: ${error.message}.`, {
        cause: error,
        hint: 'Check that both clusters are reachable, then run `sync verify` again.',
      });
    }
    throw error;
  } finally {
    await clients.close();
  }
}
