import { Int32, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { findUser, listUsers, userMechanisms, type UserDocument } from '../auth/user_store.js';
import { expandRoles, privilegeToDocument, privilegesOfRoles } from '../auth/privileges.js';
import { isNumeric } from '../engine/bson_order.js';

type UserName = { user: string; db: string };

function parseName(value: unknown, db: string): UserName {
  if (typeof value === 'string') return { user: value, db };
  if (value && typeof value === 'object' && typeof (value as Document).user === 'string' && typeof (value as Document).db === 'string') {
    return { user: (value as Document).user, db: (value as Document).db };
  }
  throw new CommandError('BadValue', 'User name must be either a string or an object with "user" and "db" fields');
}

function describe(user: UserDocument, showCredentials: boolean, showPrivileges: boolean): Document {
  const out: Document = { _id: user._id, userId: user.userId, user: user.user, db: user.db };
  if (showCredentials) {
    const credentials: Document = {};
    for (const [m, c] of Object.entries(user.credentials)) credentials[m] = { ...c, iterationCount: new Int32(c.iterationCount) };
    out.credentials = credentials;
  }
  out.roles = user.roles.map((r) => ({ role: r.role, db: r.db }));
  if (user.customData !== undefined) out.customData = user.customData;
  out.mechanisms = userMechanisms(user);
  if (showPrivileges) {
    out.inheritedRoles = expandRoles(user.roles).map((r) => ({ role: r.role, db: r.db }));
    out.inheritedPrivileges = privilegesOfRoles(user.roles).map(privilegeToDocument);
    out.inheritedAuthenticationRestrictions = [];
    out.authenticationRestrictions = [];
  }
  return out;
}

/**
 * usersInfo: `1` (every user of the database), a name, `{user, db}`, a list of those, or `{forAllDBs: true}`;
 * with showCredentials (SCRAM secrets) and showPrivileges (inherited roles and privileges).
 */
export const usersInfo: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const { body, db, server } = ctx;
    const arg = body.usersInfo;
    const showCredentials = body.showCredentials === true;
    const showPrivileges = body.showPrivileges === true;
    let users: UserDocument[];
    if (isNumeric(arg) && Number(arg) === 1) {
      users = listUsers(server, db);
    } else if (arg && typeof arg === 'object' && !Array.isArray(arg) && (arg as Document).forAllDBs === true) {
      users = listUsers(server);
    } else {
      const names = Array.isArray(arg) ? arg.map((v) => parseName(v, db)) : [parseName(arg, db)];
      users = names.map((n) => findUser(server, n.db, n.user)).filter((u): u is UserDocument => u !== undefined);
    }
    if (!Array.isArray(arg)) users.sort((a, b) => (a.user === b.user ? (a.db < b.db ? -1 : a.db > b.db ? 1 : 0) : a.user < b.user ? -1 : 1));
    return { users: users.map((u) => describe(u, showCredentials, showPrivileges)) };
  },
};
