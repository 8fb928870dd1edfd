import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { removeUser, userDisplayName } from '../auth/user_store.js';
import { userNameArgument } from '../auth/user_arguments.js';

/** dropUser: removes a user of the command's database; its open connections lose it on their next command. */
export const dropUser: CommandDefinition = {
  run(ctx: CommandContext) {
    const name = userNameArgument(ctx.body, 'dropUser');
    if (!removeUser(ctx.server, ctx.writes, ctx.op, ctx.db, name)) {
      throw new CommandError('UserNotFound', `User '${userDisplayName(ctx.db, name)}' not found`);
    }
    return {};
  },
};
