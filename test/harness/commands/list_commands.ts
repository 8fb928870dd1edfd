import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { COMMANDS } from './command_table.js';

/** Commands mongod runs only against the admin database. */
const ADMIN_ONLY: ReadonlySet<string> = new Set([
  'abortTransaction', 'commitTransaction', 'configureFailPoint', 'currentOp', 'fsync', 'fsyncUnlock', 'getCmdLineOpts',
  'getDefaultRWConcern', 'getLog', 'getParameter', 'hostInfo', 'killOp', 'listDatabases', 'renameCollection',
  'setParameter', 'setUserWriteBlockMode', 'shutdown',
]);

/** listCommands: every command of the command table with mongod's per-command fields, sorted by name. */
export const listCommands: CommandDefinition = {
  requiresAuth: false,
  run(_ctx: CommandContext): Document {
    const commands: Document = {};
    for (const name of Object.keys(COMMANDS).sort()) {
      const def = COMMANDS[name];
      commands[name] = {
        help: '',
        requiresAuth: def.requiresAuth !== false,
        secondaryOk: true,
        adminOnly: ADMIN_ONLY.has(name),
        apiVersions: [],
        deprecatedApiVersions: [],
      };
    }
    return { commands };
  },
};
