/**
 * Connections to the two clusters, each with the concerns the migration relies on: the source is read from the
 * primary with majority read concern (so that rolled-back writes never travel), the destination is written with
 * `w: majority, j: true` (so that a checkpoint never covers writes a failover could lose).
 */
import { MongoClient, type MongoClientOptions } from 'mongodb';

/** Bounded time to find a server, so that an unreachable host fails preflight quickly instead of hanging. */
export const SERVER_SELECTION_TIMEOUT_MS = 10_000;

/** The driver's `appName`, visible in the servers' logs and currentOp. */
export const APP_NAME = 'mongo-c2c-sync';

/** The two clients of a migration. */
export interface ClusterClients {
  readonly source: MongoClient;
  readonly destination: MongoClient;
  close(): Promise<void>;
}

/** Options for reading the source. */
export const SOURCE_CLIENT_OPTIONS: Readonly<MongoClientOptions> = {
  appName: APP_NAME,
  readPreference: 'primary',
  readConcern: { level: 'majority' as const },
  serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
};

/** Options for writing the destination. */
export const DESTINATION_CLIENT_OPTIONS: Readonly<MongoClientOptions> = {
  appName: APP_NAME,
  readPreference: 'primary',
  readConcern: { level: 'majority' as const },
  writeConcern: { w: 'majority' as const, j: true },
  serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
};

/** Creates (does not yet connect) the clients for a source and a destination URI. */
export function createClusterClients(sourceUri: string, destinationUri: string): ClusterClients {
  const source = new MongoClient(sourceUri, SOURCE_CLIENT_OPTIONS);
  const destination = new MongoClient(destinationUri, DESTINATION_CLIENT_OPTIONS);
  return {
    source,
    destination,
    close: async () => {
      await Promise.allSettled([source.close(), destination.close()]);
    },
  };
}
