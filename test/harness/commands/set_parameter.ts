import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { assertAdminDb } from './admin_only.js';
import { SERVER_PARAMETERS, parameterValue } from './server_parameters.js';

const GENERIC_FIELDS: ReadonlySet<string> = new Set(['setParameter', '$db', 'lsid', '$clusterTime', '$readPreference', 'comment', 'writeConcern']);

/**
 * setParameter (admin): changes runtime-settable parameters and answers the previous value as `was`. The new
 * values are reported by getParameter; parameters this server does not act on are only recorded.
 */
export const setParameter: CommandDefinition = {
  run(ctx: CommandContext): Document {
    assertAdminDb(ctx);
    const names = Object.keys(ctx.body).filter((k) => !GENERIC_FIELDS.has(k));
    if (names.length === 0) throw new CommandError('InvalidOptions', 'no option found to set, use help:true to see options ');
    if (names.length > 1) throw new CommandError('InvalidOptions', 'only one parameter can be set at a time');
    const [name] = names;
    const param = SERVER_PARAMETERS[name];
    if (!param) throw new CommandError('InvalidOptions', `attempted to set unrecognized parameter [${name}], use help:true to see options `);
    if (!param.settableAtRuntime) throw new CommandError('IllegalOperation', `not allowed to change [${name}] at runtime`);
    if (name === 'transactionLifetimeLimitSeconds' && !(Number(ctx.body[name]) >= 1)) {
      throw new CommandError('BadValue', 'transactionLifetimeLimitSeconds must be greater than or equal to 1s');
    }
    const was = parameterValue(ctx.server, name);
    ctx.server.parameters.set(name, ctx.body[name]);
    return { was };
  },
};
