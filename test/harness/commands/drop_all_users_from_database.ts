import { Int32 } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { listUsers, removeUser } from '../auth/user_store.js';

/** dropAllUsersFromDatabase: removes every user of the command's database; answers `{n: <removed>}`. */
export const dropAllUsersFromDatabase: CommandDefinition = {
  run(ctx: CommandContext) {
    let n = 0;
    for (const user of listUsers(ctx.server, ctx.db)) {
      if (removeUser(ctx.server, ctx.writes, ctx.op, user.db, user.user)) n++;
    }
    return { n: new Int32(n) };
  },
};
