import { Long, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import type { ServerState } from '../engine/server_state.js';
import { CommandError } from '../errors.js';
import { compileFilter } from '../engine/query/filter.js';
import { indexSizeOf, storageSizeOf } from '../engine/collection_stats.js';
import { listIndexSpecs } from '../engine/indexes/index_catalog.js';
import { isView } from '../engine/ddl.js';
import { mayListAllDatabases, mayListDatabase } from '../auth/authorization.js';
import { typeName } from '../engine/query/bson_types.js';

/**
 * Databases a replica set member always has: admin (system.version), config (system.sessions, created by the
 * logical session cache) and local (the oplog). mongod lists them once they hold data, which on a running replica
 * set is always; this server has no such collections, so they are listed with a nominal size.
 */
const SYSTEM_DATABASES = ['admin', 'config', 'local'];
const NOMINAL_SYSTEM_DB_BYTES = 40960;

/** The estimated on-disk size of a database: its collections' storage and index sizes. */
export function databaseSizeOnDisk(state: ServerState, db: string): number {
  let bytes = 0;
  for (const c of state.catalog.listCollections(db)) {
    if (isView(c)) continue;
    bytes += storageSizeOf(c) + listIndexSpecs(c).length * indexSizeOf(c);
  }
  return bytes;
}

/** Every database name: those with collections plus admin, config and local, sorted by name as mongod lists them. */
export function databaseNames(state: ServerState): string[] {
  return [...new Set([...state.catalog.databases.keys(), ...SYSTEM_DATABASES])].sort();
}

/**
 * listDatabases (admin only): `{databases: [{name, sizeOnDisk, empty}], totalSize, totalSizeMb}`, or with
 * `nameOnly` just `{databases: [{name}]}`; `filter` applies to those entries. `authorizedDatabases` (by default
 * true exactly when the user lacks the cluster action listDatabases) lists only the databases the user has a
 * privilege in; false without that action is refused, as mongod's list_databases.cpp.
 */
export const listDatabases: CommandDefinition = {
  run(ctx: CommandContext): Document {
    if (ctx.db !== 'admin') throw new CommandError('Unauthorized', `${ctx.commandName} may only be run against the admin database.`);
    const { filter, nameOnly, authorizedDatabases } = ctx.body;
    if (filter !== undefined && filter !== null && (typeof filter !== 'object' || Array.isArray(filter))) {
      throw new CommandError('TypeMismatch', "BSON field 'listDatabases.filter' is the wrong type, expected type 'object'");
    }
    if (authorizedDatabases !== undefined && typeof authorizedDatabases !== 'boolean') {
      throw new CommandError('TypeMismatch', `BSON field 'listDatabases.authorizedDatabases' is the wrong type '${typeName(authorizedDatabases)}', expected type 'bool'`);
    }
    const mayListAll = mayListAllDatabases(ctx.server, ctx.conn);
    if (authorizedDatabases === false && !mayListAll) throw new CommandError('Unauthorized', 'Insufficient permissions to list all databases');
    const onlyAuthorized = authorizedDatabases ?? !mayListAll;
    const matches = compileFilter((filter ?? {}) as Document);
    const databases: Document[] = [];
    let totalSize = 0;
    for (const name of databaseNames(ctx.server)) {
      if (onlyAuthorized && !mayListDatabase(ctx.server, ctx.conn, name)) continue;
      if (nameOnly === true) {
        const entry = { name };
        if (matches(entry)) databases.push(entry);
        continue;
      }
      const measured = databaseSizeOnDisk(ctx.server, name);
      const sizeOnDisk = SYSTEM_DATABASES.includes(name) ? Math.max(measured, NOMINAL_SYSTEM_DB_BYTES) : measured;
      const entry = { name, sizeOnDisk: Long.fromNumber(sizeOnDisk), empty: false };
      if (!matches(entry)) continue;
      databases.push(entry);
      totalSize += sizeOnDisk;
    }
    if (nameOnly === true) return { databases };
    return { databases, totalSize: Long.fromNumber(totalSize), totalSizeMb: Long.fromNumber(Math.floor(totalSize / (1024 * 1024))) };
  },
};

