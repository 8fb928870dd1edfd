import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { assertAdminDb } from './admin_only.js';
import { SERVER_PARAMETERS, parameterDetails, parameterNames, parameterValue } from './server_parameters.js';

/** Fields of a getParameter command that are arguments, not parameter names. */
const GENERIC_FIELDS: ReadonlySet<string> = new Set(['getParameter', '$db', 'lsid', '$clusterTime', '$readPreference', 'comment', 'apiVersion', 'apiStrict', 'apiDeprecationErrors']);

/**
 * getParameter (admin): `{getParameter: 1, name: 1, ...}` answers the named parameters; `'*'` or
 * `{allParameters: true}` all of them; `{showDetails: true}` gives `{value, settableAtRuntime, settableAtStartup}`.
 * No known name among those asked answers InvalidOptions "no option found to get", as mongod does.
 */
export const getParameter: CommandDefinition = {
  run(ctx: CommandContext): Document {
    assertAdminDb(ctx);
    const arg = ctx.body.getParameter;
    const all = arg === '*' || (typeof arg === 'object' && arg !== null && (arg as Document).allParameters === true);
    const details = typeof arg === 'object' && arg !== null && (arg as Document).showDetails === true;
    const names = all ? parameterNames() : Object.keys(ctx.body).filter((k) => !GENERIC_FIELDS.has(k) && SERVER_PARAMETERS[k] !== undefined);
    if (names.length === 0) throw new CommandError('InvalidOptions', 'no option found to get');
    const reply: Document = {};
    for (const name of names) reply[name] = details ? parameterDetails(ctx.server, name) : parameterValue(ctx.server, name);
    return reply;
  },
};
