import type { CommandDefinition } from '../command_context.js';
import { aggregate } from './aggregate.js';
import { appendOplogNote } from './append_oplog_note.js';
import { buildInfo } from './build_info.js';
import { count } from './count.js';
import { deleteCommand } from './delete.js';
import { distinct } from './distinct.js';
import { find } from './find.js';
import { findAndModify } from './find_and_modify.js';
import { getMore } from './get_more.js';
import { hello } from './hello.js';
import { insert } from './insert.js';
import { killCursors } from './kill_cursors.js';
import { ping } from './ping.js';
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
  count,
  delete: deleteCommand,
  distinct,
  find,
  findAndModify,
  findandmodify: findAndModify,
  getMore,
  hello,
  insert,
  isMaster: hello,
  killCursors,
  ping,
  update,
  replSetGetStatus,
});
