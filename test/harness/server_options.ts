/** A user created at server start, as `--user name:password:role1,role2` or `startServer({ users })`. */
export interface UserSeed {
  user: string;
  password: string;
  /** Admin-database role names (`root`, `readWriteAnyDatabase`) or `role@db` for a database role. */
  roles: string[];
}

/** Options of {@link startServer}. Every field is optional; the defaults make a mongod-like replica set member. */
export interface ServerOptions {
  /** TCP port; 0 (default) picks a free port. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Replica set name reported by hello; default `rs0`. */
  replSetName?: string;
  /**
   * Answer hello as a standalone mongod (no setName, hosts, primary, me, lastWrite): for tests of tools that must
   * refuse a standalone. Default false. `uri` still carries `replicaSet`: connect with `directConnection=true`.
   */
  standalone?: boolean;
  /** Users to create; with none, auth is off and every client may do everything (mongod without --auth). */
  users?: UserSeed[];
  /** Capped size of local.oplog.rs in bytes; default 256 MiB. */
  oplogSizeBytes?: number;
  /** Period of the TTL monitor in ms; default 60,000 as mongod's ttlMonitorSleepSecs. */
  ttlMonitorIntervalMs?: number;
  /** Period of the idle no-op oplog writer in ms; default 10,000 as mongod's periodicNoopIntervalSecs. 0 = off. */
  noopIntervalMs?: number;
  /** Where the server logs connection errors; default: nowhere. */
  log?: (message: string) => void;
}

export type ResolvedServerOptions = Required<Omit<ServerOptions, 'log'>> & { log: (message: string) => void };

export function resolveServerOptions(options: ServerOptions): ResolvedServerOptions {
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    replSetName: options.replSetName ?? 'rs0',
    standalone: options.standalone ?? false,
    users: options.users ?? [],
    oplogSizeBytes: options.oplogSizeBytes ?? 256 * 1024 * 1024,
    ttlMonitorIntervalMs: options.ttlMonitorIntervalMs ?? 60_000,
    noopIntervalMs: options.noopIntervalMs ?? 10_000,
    log: options.log ?? (() => {}),
  };
}
