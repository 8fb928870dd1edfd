import type { CommandDefinition } from '../command_context.js';
import { abortTransaction } from './abort_transaction.js';
import { aggregate } from './aggregate.js';
import { appendOplogNote } from './append_oplog_note.js';
import { authenticate } from './authenticate.js';
import { buildInfo } from './build_info.js';
import { collMod } from './coll_mod.js';
import { collStats } from './coll_stats.js';
import { commitTransaction } from './commit_transaction.js';
import { configureFailPoint } from './configure_fail_point.js';
import { connectionStatus } from './connection_status.js';
import { count } from './count.js';
import { create } from './create.js';
import { createIndexes } from './create_indexes.js';
import { createUser } from './create_user.js';
import { currentOp } from './current_op.js';
import { dbStats } from './db_stats.js';
import { deleteCommand } from './delete.js';
import { distinct } from './distinct.js';
import { drop } from './drop.js';
import { dropAllUsersFromDatabase } from './drop_all_users_from_database.js';
import { dropDatabase } from './drop_database.js';
import { dropIndexes } from './drop_indexes.js';
import { dropUser } from './drop_user.js';
import { endSessions } from './end_sessions.js';
import { find } from './find.js';
import { findAndModify } from './find_and_modify.js';
import { fsync, fsyncUnlock } from './fsync.js';
import { getCmdLineOpts } from './get_cmd_line_opts.js';
import { getDefaultRWConcern } from './get_default_rw_concern.js';
import { getLog } from './get_log.js';
import { getMore } from './get_more.js';
import { getParameter } from './get_parameter.js';
import { grantRolesToUser } from './grant_roles_to_user.js';
import { hello } from './hello.js';
import { hostInfo } from './host_info.js';
import { insert } from './insert.js';
import { killAllSessions } from './kill_all_sessions.js';
import { killCursors } from './kill_cursors.js';
import { killOp } from './kill_op.js';
import { killSessions } from './kill_sessions.js';
import { listCommands } from './list_commands.js';
import { listCollections } from './list_collections.js';
import { listDatabases } from './list_databases.js';
import { listIndexes } from './list_indexes.js';
import { logout } from './logout.js';
import { ping } from './ping.js';
import { refreshSessions } from './refresh_sessions.js';
import { renameCollection } from './rename_collection.js';
import { replSetGetStatus } from './repl_set_get_status.js';
import { revokeRolesFromUser } from './revoke_roles_from_user.js';
import { rolesInfo } from './roles_info.js';
import { saslContinue } from './sasl_continue.js';
import { saslStart } from './sasl_start.js';
import { serverStatus } from './server_status.js';
import { setParameter } from './set_parameter.js';
import { setUserWriteBlockMode } from './set_user_write_block_mode.js';
import { startSession } from './start_session.js';
import { update } from './update.js';
import { updateUser } from './update_user.js';
import { usersInfo } from './users_info.js';
import { whatsmyuri } from './whats_my_uri.js';

/**
 * Every command the server knows, by the name a client sends (the body's first key). Alphabetical; one line per
 * name. Anything else is answered with CommandNotFound (59), as mongod does.
 */
export const COMMANDS: Readonly<Record<string, CommandDefinition>> = Object.freeze({
  abortTransaction,
  aggregate,
  appendOplogNote,
  authenticate,
  buildInfo,
  buildinfo: buildInfo,
  collMod,
  collStats,
  commitTransaction,
  configureFailPoint,
  connectionStatus,
  count,
  create,
  createIndexes,
  createUser,
  currentOp,
  dbStats,
  dbstats: dbStats,
  delete: deleteCommand,
  deleteIndexes: dropIndexes,
  distinct,
  drop,
  dropAllUsersFromDatabase,
  dropDatabase,
  dropIndexes,
  dropUser,
  endSessions,
  find,
  findAndModify,
  findandmodify: findAndModify,
  fsync,
  fsyncUnlock,
  getCmdLineOpts,
  getDefaultRWConcern,
  getLog,
  getMore,
  getParameter,
  grantRolesToUser,
  hello,
  hostInfo,
  insert,
  isMaster: hello,
  killAllSessions,
  killCursors,
  killOp,
  killSessions,
  listCommands,
  listCollections,
  listDatabases,
  listIndexes,
  logout,
  ping,
  refreshSessions,
  renameCollection,
  replSetGetStatus,
  revokeRolesFromUser,
  rolesInfo,
  saslContinue,
  saslStart,
  serverStatus,
  setParameter,
  setUserWriteBlockMode,
  startSession,
  update,
  updateUser,
  usersInfo,
  whatsmyuri,
});
