/**
 * `sync verify` from a resolved configuration: connects to both clusters with the migration's own client options
 * (majority reads on both sides), compares them, and closes the connections.
 */
import { MongoNetworkError, MongoServerSelectionError, type MongoClient } from 'mongodb';
import type { SyncConfig } from '../config/schema.js';
import { ERROR_CODES, PreflightError, isSyncError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { createClusterClients } from '../topology/clients.js';
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
    await Promise.all([checkReachable(clients.source, 'source'), checkReachable(clients.destination, 'destination')]);
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

/** Pings a cluster, turning a failure into a PreflightError that names the side. */
async function checkReachable(client: MongoClient, side: 'source' | 'destination'): Promise<void> {
  try {
    await client.db('admin').command({ ping: 1 });
  } catch (error) {
    const authenticationFailed = (error as { code?: unknown }).code === 18;
    throw new PreflightError(ERROR_CODES.PREFLIGHT_CONNECTION_FAILED, `Cannot connect to the ${side}: ${(error as Error).message}.`, {
      cause: error,
      hint: authenticationFailed
        ? `Check the user name, password and authSource in ${side}.uri.`
        : `Check that ${side}.uri names reachable hosts and that the network, TLS options and credentials are right.`,
      details: { side },
    });
  }
}
