import type { CommandDefinition } from '../command_context.js';
import { aggregate } from './aggregate.js';
import { appendOplogNote } from './append_oplog_note.js';
import { buildInfo } from './build_info.js';
import { collMod } from './coll_mod.js';
import { collStats } from './coll_stats.js';
import { count } from './count.js';
import { create } from './create.js';
import { createIndexes } from './create_indexes.js';
import { dbStats } from './db_stats.js';
import { deleteCommand } from './delete.js';
import { distinct } from './distinct.js';
import { drop } from './drop.js';
import { dropDatabase } from './drop_database.js';
import { dropIndexes } from './drop_indexes.js';
import { find } from './find.js';
import { findAndModify } from './find_and_modify.js';
import { getMore } from './get_more.js';
import { hello } from './hello.js';
import { insert } from './insert.js';
import { killCursors } from './kill_cursors.js';
import { listCollections } from './list_collections.js';
import { listDatabases } from './list_databases.js';
import { listIndexes } from './list_indexes.js';
import { ping } from './ping.js';
import { renameCollection } from './rename_collection.js';
import { update } from './update.js';
import { replSetGetStatus } from './repl_set_get_status.js';

/**
 * Every command the server knows, by the name a client sends (the body's first key). Alphabetical; one line per
 * name. Anything else is answered with CommandNotFound (59), as mongod does.
 */
export const COMMANDS: Readonly<Record<string, CommandDefinition>> = Object.freeze({
  aggregate,
  appendOplogNote,
  buildInfo,
  buildinfo: buildInfo,
  collMod,
  collStats,
  count,
  create,
  createIndexes,
  dbStats,
  dbstats: dbStats,
  delete: deleteCommand,
  deleteIndexes: dropIndexes,
  distinct,
  drop,
  dropDatabase,
  dropIndexes,
  find,
  findAndModify,
  findandmodify: findAndModify,
  getMore,
  hello,
  insert,
  isMaster: hello,
  killCursors,
  listCollections,
  listDatabases,
  listIndexes,
  ping,
  renameCollection,
  update,
  replSetGetStatus,
});
