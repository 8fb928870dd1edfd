import type { CommandContext, CommandDefinition } from '../command_context.js';
import { replaceUser } from '../auth/user_store.js';
import { roleChangeArguments } from '../auth/user_arguments.js';

/** revokeRolesFromUser: removes roles from a user; roles it does not hold are ignored, as on mongod. */
export const revokeRolesFromUser: CommandDefinition = {
  run(ctx: CommandContext) {
    const { user, roles } = roleChangeArguments(ctx.server, ctx.body, 'revokeRolesFromUser', ctx.db);
    user.roles = user.roles.filter((x) => !roles.some((r) => r.role === x.role && r.db === x.db));
    replaceUser(ctx.server, ctx.writes, ctx.op, user);
    return {};
  },
};
