import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { findUser, replaceUser } from '../auth/user_store.js';
import { rolesArgument, userNameArgument } from '../auth/user_arguments.js';

/** grantRolesToUser: adds roles (names of the command's database or `{role, db}`) to a user; held ones are kept once. */
export const grantRolesToUser: CommandDefinition = {
  run(ctx: CommandContext) {
    const name = userNameArgument(ctx.body, 'grantRolesToUser');
    if (Array.isArray(ctx.body.roles) && ctx.body.roles.length === 0) {
      throw new CommandError('BadValue', 'grantRolesToUser command requires a non-empty "roles" array');
    }
    // mongod reads the user's current roles before it checks that the new ones exist.
    const user = findUser(ctx.server, ctx.db, name);
    if (!user) throw new CommandError('UserNotFound', `Could not find user "${name}" for db "${ctx.db}"`);
    const roles = rolesArgument(ctx.body, 'grantRolesToUser', ctx.db, true)!;
    for (const r of roles) {
      if (!user.roles.some((x) => x.role === r.role && x.db === r.db)) user.roles.push(r);
    }
    replaceUser(ctx.server, ctx.writes, ctx.op, user);
    return {};
  },
};
