import type { CommandDefinition } from '../command_context.js';
import { aggregate } from './aggregate.js';
import { appendOplogNote } from './append_oplog_note.js';
import { buildInfo } from './build_info.js';
import { find } from './find.js';
import { getMore } from './get_more.js';
import { hello } from './hello.js';
import { insert } from './insert.js';
import { killCursors } from './kill_cursors.js';
import { ping } from './ping.js';
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
  find,
  getMore,
  hello,
  insert,
  isMaster: hello,
  killCursors,
  ping,
  replSetGetStatus,
});
