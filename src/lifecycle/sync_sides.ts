/**
 * Which configured cluster plays which part in the current direction of a migration. Forward, data flows from the
 * configured source to the configured destination; after `sync reverse`, the other way. The migration's own state
 * always stays on the configured destination.
 */
import type { MongoClient } from 'mongodb';
import type { ClusterClients } from '../topology/clients.js';
import type { ClusterSide } from '../topology/connect_side.js';
import type { MigrationDocument, SyncDirection } from '../state/migration_store.js';

/** The parts of the two clusters in one direction. */
export interface SyncSides {
  readonly direction: SyncDirection;
  /** Where changes are read from. */
  readonly from: MongoClient;
  /** Where they are written. */
  readonly to: MongoClient;
  /** The configured destination, which holds the internal database. */
  readonly state: MongoClient;
  /** The configured names of `from` and `to`, for messages. */
  readonly fromSide: ClusterSide;
  readonly toSide: ClusterSide;
}

/** The direction of a migration (absent in documents written before reverse existed: forward). */
export function directionOf(migration: Pick<MigrationDocument, 'direction'>): SyncDirection {
  return migration.direction ?? 'forward';
}

/** The sides of a migration in its current direction. */
export function syncSides(clients: Pick<ClusterClients, 'source' | 'destination'>, direction: SyncDirection): SyncSides {
  return direction === 'forward'
    ? { direction, from: clients.source, to: clients.destination, state: clients.destination, fromSide: 'source', toSide: 'destination' }
    : { direction, from: clients.destination, to: clients.source, state: clients.destination, fromSide: 'destination', toSide: 'source' };
}
