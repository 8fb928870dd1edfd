import { ObjectId } from 'bson';
import { Catalog } from './catalog.js';
import { ClusterClock } from './cluster_clock.js';
import { CursorRegistry } from './cursor_registry.js';
import { Oplog } from './oplog.js';
import { WriteNotifier } from './write_notifier.js';
import { FailPoints } from './fail_points.js';
import { SessionCatalog } from './sessions.js';
import { DocumentLocks, transactionLifetimeLimitMs } from './transactions.js';
import type { ResolvedServerOptions } from '../server_options.js';

/**
 * Everything one embedded server holds: catalog and data, oplog, cursors, clock and server-wide switches.
 * Handlers receive it through their CommandContext; nothing here knows about sockets or bytes.
 */
export class ServerState {
  readonly clock = new ClusterClock();
  readonly catalog = new Catalog();
  readonly cursors = new CursorRegistry();
  readonly notifier = new WriteNotifier();
  readonly failPoints = new FailPoints();
  readonly oplog: Oplog;
  /** Process identity reported in hello's topologyVersion. */
  readonly processId = new ObjectId();
  readonly startedAt = new Date();
  /** setUserWriteBlockMode {global: true} is in force. */
  userWritesBlocked = false;
  /** Logical sessions with their transaction and retryable-write state (config.transactions on mongod). */
  readonly sessions = new SessionCatalog();
  /** Documents written by open transactions (write conflicts). */
  readonly documentLocks = new DocumentLocks(Date.now, () => transactionLifetimeLimitMs(this.parameters));
  /** serverStatus counters: connections (kept by the listener) and opcounters (kept by the router). */
  readonly stats = {
    connections: { current: 0, totalCreated: 0 },
    opcounters: { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 },
    transactions: { totalStarted: 0, totalCommitted: 0, totalAborted: 0, retriedCommands: 0 },
  };
  /** setParameter values that were changed at runtime, by name (getParameter reports them). */
  readonly parameters = new Map<string, unknown>();
  /** Users are configured: clients must authenticate (mongod --auth). */
  get authEnabled(): boolean {
    return this.options.users.length > 0;
  }

  /** host:port of this member, set once the listener is bound. */
  me = '';

  constructor(readonly options: ResolvedServerOptions) {
    this.oplog = new Oplog(this.clock, options.oplogSizeBytes);
    this.catalog.add(this.oplog.collection);
  }
}
