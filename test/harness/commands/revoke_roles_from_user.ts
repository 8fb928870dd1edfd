import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { findUser, replaceUser } from '../auth/user_store.js';
import { rolesArgument, userNameArgument } from '../auth/user_arguments.js';

/** revokeRolesFromUser: removes roles from a user; roles it does not hold are ignored, as on mongod. */
export const revokeRolesFromUser: CommandDefinition = {
  run(ctx: CommandContext) {
    const name = userNameArgument(ctx.body, 'revokeRolesFromUser');
    if (Array.isArray(ctx.body.roles) && ctx.body.roles.length === 0) {
      throw new CommandError('BadValue', 'revokeRolesFromUser command requires a non-empty "roles" array');
    }
    // mongod reads the user's current roles before it checks that the new ones exist.
    const user = findUser(ctx.server, ctx.db, name);
    if (!user) throw new CommandError('UserNotFound', `Could not find user "${name}" for db "${ctx.db}"`);
    const roles = rolesArgument(ctx.body, 'revokeRolesFromUser', ctx.db, true)!;
    user.roles = user.roles.filter((x) => !roles.some((r) => r.role === x.role && r.db === x.db));
    replaceUser(ctx.server, ctx.writes, ctx.op, user);
    return {};
  },
};
