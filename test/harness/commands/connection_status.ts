import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { connectionPrivileges } from '../auth/authorization.js';
import { privilegeToDocument } from '../auth/privileges.js';

/**
 * connectionStatus: who is authenticated on this connection, `{authInfo: {authenticatedUsers, authenticatedUserRoles,
 * authenticatedUserPrivileges (with showPrivileges)}}`. Allowed before authentication (empty lists then).
 */
export const connectionStatus: CommandDefinition = {
  requiresAuth: false,
  run(ctx: CommandContext): Document {
    const users = ctx.conn.users;
    const authInfo: Document = {
      authenticatedUsers: users.map((u) => ({ user: u.user, db: u.db })),
      authenticatedUserRoles: users.flatMap((u) => u.roles.map((r) => ({ role: r.role, db: r.db }))),
    };
    if (ctx.body.showPrivileges === true) {
      authInfo.authenticatedUserPrivileges = connectionPrivileges(ctx.conn).map(privilegeToDocument);
    }
    return { authInfo };
  },
};
