import type { CommandContext, CommandDefinition } from '../command_context.js';
import { replaceUser } from '../auth/user_store.js';
import { roleChangeArguments } from '../auth/user_arguments.js';

/** grantRolesToUser: adds roles (names of the command's database or `{role, db}`) to a user; held ones are kept once. */
export const grantRolesToUser: CommandDefinition = {
  run(ctx: CommandContext) {
    const { user, roles } = roleChangeArguments(ctx.server, ctx.body, 'grantRolesToUser', ctx.db);
    for (const r of roles) {
      if (!user.roles.some((x) => x.role === r.role && x.db === r.db)) user.roles.push(r);
    }
    replaceUser(ctx.server, ctx.writes, ctx.op, user);
    return {};
  },
};
