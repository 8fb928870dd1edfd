import { ServerState } from './engine/server_state.js';
import { Listener } from './listener.js';
import { resolveServerOptions, type ServerOptions } from './server_options.js';
import { startBackgroundJobs } from './engine/background_jobs.js';
import { seedUsers } from './auth/user_store.js';

/** A running embedded server. */
export interface RunningServer {
  /** A connection string for the official driver, e.g. `mongodb://127.0.0.1:40123/?replicaSet=rs0`. */
  uri: string;
  port: number;
  /** The server's state, for white-box assertions in the harness's own tests. */
  state: ServerState;
  /** Drops every open connection and refuses new ones for `forMs` (data is kept): an outage as clients see it. */
  dropConnections(forMs?: number): void;
  stop(): Promise<void>;
}

/** Starts an in-memory, MongoDB-wire-compatible server that answers as the primary of a one-member replica set. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const resolved = resolveServerOptions(options);
  const state = new ServerState(resolved);
  seedUsers(state, resolved.users);
  const listener = new Listener(state);
  const port = await listener.listen(resolved.port, resolved.host);
  state.me = `${resolved.host}:${port}`;
  const jobs = startBackgroundJobs(state, listener.writes);
  const uri = `mongodb://${state.me}/?replicaSet=${encodeURIComponent(resolved.replSetName)}`;
  return {
    uri,
    port,
    state,
    dropConnections: (forMs = 0) => listener.dropConnections(forMs),
    stop: async () => {
      jobs.stop();
      state.cursors.killAll();
      await listener.close();
    },
  };
}
