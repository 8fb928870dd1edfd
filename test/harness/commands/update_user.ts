import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { buildCredentials, findUser, replaceUser, userDisplayName, userMechanisms } from '../auth/user_store.js';
import { customDataArgument, mechanismsArgument, passwordArgument, rolesArgument, userNameArgument } from '../auth/user_arguments.js';

/**
 * updateUser: changes a user's password (new credentials for its mechanisms, or for `mechanisms`), roles (replaced),
 * customData (replaced), or narrows its mechanisms.
 */
export const updateUser: CommandDefinition = {
  run(ctx: CommandContext) {
    const { body, db } = ctx;
    const name = userNameArgument(body, 'updateUser');
    const password = passwordArgument(body, 'updateUser');
    const roles = rolesArgument(body, 'updateUser', db, false);
    const customData = customDataArgument(body, 'updateUser');
    const mechanisms = mechanismsArgument(body);
    if (password === undefined && roles === undefined && customData === undefined && mechanisms === undefined) {
      throw new CommandError('BadValue', 'Must specify at least one field to update in updateUser');
    }
    const user = findUser(ctx.server, db, name);
    // mongod's updatePrivilegeDocument wording (grant/revoke look the user up first and word it differently).
    if (!user) throw new CommandError('UserNotFound', `User ${userDisplayName(db, name)} not found`);
    if (password !== undefined) {
      user.credentials = buildCredentials(name, password, mechanisms ?? userMechanisms(user));
    } else if (mechanisms !== undefined) {
      const current = userMechanisms(user);
      if (!mechanisms.every((m) => current.includes(m))) {
        throw new CommandError('BadValue', 'mechanisms field must be a subset of previously set mechanisms');
      }
      for (const m of current) if (!mechanisms.includes(m)) delete user.credentials[m];
    }
    if (roles !== undefined) user.roles = roles;
    if (customData !== undefined) user.customData = customData;
    replaceUser(ctx.server, ctx.writes, ctx.op, user);
    return {};
  },
};
