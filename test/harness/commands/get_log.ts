import { Int32, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { assertAdminDb } from './admin_only.js';

/** The in-memory logs mongod keeps (RamLog); this server writes none, so they are empty. */
const LOG_NAMES = ['global', 'startupWarnings'] as const;

/**
 * getLog (admin): `'*'` lists the log names; `global` and `startupWarnings` answer `{totalLinesWritten, log}`
 * (empty here: mongosh asks for startupWarnings at startup and prints none).
 */
export const getLog: CommandDefinition = {
  run(ctx: CommandContext): Document {
    assertAdminDb(ctx);
    const name = ctx.body.getLog;
    if (name === '*') return { names: [...LOG_NAMES] };
    if (typeof name !== 'string') throw new CommandError('TypeMismatch', "Argument to getLog must be of type String; found " + typeof name);
    if (!(LOG_NAMES as readonly string[]).includes(name)) throw new CommandError('OperationFailed', `No log named '${name}'`);
    return { totalLinesWritten: new Int32(0), log: [] };
  },
};
