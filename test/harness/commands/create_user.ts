import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { findUser, insertUser, newUser, userDisplayName } from '../auth/user_store.js';
import {
  assertUserDatabase, customDataArgument, DEFAULT_MECHANISMS, mechanismsArgument, passwordArgument, rolesArgument, userNameArgument,
} from '../auth/user_arguments.js';

/**
 * createUser: adds a user of the command's database to admin.system.users with SCRAM-SHA-1 and SCRAM-SHA-256
 * credentials (or the `mechanisms` given). Roles are names of the command's database or `{role, db}`.
 */
export const createUser: CommandDefinition = {
  run(ctx: CommandContext) {
    const { body, db } = ctx;
    const name = userNameArgument(body, 'createUser');
    assertUserDatabase(db);
    const roles = rolesArgument(body, 'createUser', db, true)!;
    const password = passwordArgument(body, 'createUser');
    if (password === undefined) {
      throw new CommandError('BadValue', "Must provide a 'pwd' field for all user documents, except those with '$external' as the user's source db");
    }
    const mechanisms = mechanismsArgument(body) ?? [...DEFAULT_MECHANISMS];
    const customData = customDataArgument(body, 'createUser');
    if (findUser(ctx.server, db, name)) {
      throw new CommandError('Location51003', `User "${userDisplayName(db, name)}" already exists`, {}, 51003);
    }
    insertUser(ctx.writes, ctx.op, newUser(db, name, password, roles, mechanisms, customData));
    return {};
  },
};
