import { Int32, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { findUser, listUsers, userMechanisms, type UserDocument } from '../auth/user_store.js';
import { expandRoles, privilegeToDocument, privilegesOfRoles } from '../auth/privileges.js';
import { isNumeric } from '../engine/bson_order.js';
import { compileFilter } from '../engine/query/filter.js';

type UserName = { user: string; db: string };

function parseName(value: unknown, db: string): UserName {
  if (typeof value === 'string') return { user: value, db };
  if (value && typeof value === 'object' && typeof (value as Document).user === 'string' && typeof (value as Document).db === 'string') {
    return { user: (value as Document).user, db: (value as Document).db };
  }
  throw new CommandError('BadValue', 'User name must be either a string or an object with "user" and "db" fields');
}

function credentialsDocument(user: UserDocument): Document {
  const credentials: Document = {};
  for (const [m, c] of Object.entries(user.credentials)) credentials[m] = { ...c, iterationCount: new Int32(c.iterationCount) };
  return credentials;
}

/**
 * A user as mongod's usersInfo query path renders it: the stored document (credentials only with showCredentials),
 * then `mechanisms` added at the end.
 */
function describe(user: UserDocument, showCredentials: boolean, showCustomData: boolean): Document {
  const out: Document = { _id: user._id, userId: user.userId, user: user.user, db: user.db };
  if (showCredentials) out.credentials = credentialsDocument(user);
  if (showCustomData && user.customData !== undefined) out.customData = user.customData;
  out.roles = user.roles.map((r) => ({ role: r.role, db: r.db }));
  out.mechanisms = userMechanisms(user);
  return out;
}

/** A user as mongod's User::reportForUsersInfo renders it (showPrivileges). */
function describeWithPrivileges(user: UserDocument, showCredentials: boolean): Document {
  const out: Document = { _id: user._id, userId: user.userId, user: user.user, db: user.db, mechanisms: userMechanisms(user) };
  if (showCredentials) out.credentials = credentialsDocument(user);
  out.roles = user.roles.map((r) => ({ role: r.role, db: r.db }));
  out.inheritedRoles = expandRoles(user.roles).map((r) => ({ role: r.role, db: r.db }));
  out.inheritedPrivileges = privilegesOfRoles(user.roles).map(privilegeToDocument);
  out.inheritedAuthenticationRestrictions = [];
  return out;
}

function byUserThenDb(a: UserDocument, b: UserDocument): number {
  if (a.user !== b.user) return a.user < b.user ? -1 : 1;
  return a.db < b.db ? -1 : a.db > b.db ? 1 : 0;
}

/**
 * usersInfo: `1` (every user of the database), a name, `{user, db}`, a list of those, or `{forAllDBs: true}`;
 * showCredentials, showCustomData (default true), showPrivileges (exact names only, as on mongod) and `filter`.
 * Results are sorted by user, then db.
 */
export const usersInfo: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const { body, db, server } = ctx;
    const arg = body.usersInfo;
    const showCredentials = body.showCredentials === true;
    const showPrivileges = body.showPrivileges === true || body.showAuthenticationRestrictions === true;
    const allOnDb = isNumeric(arg) && Number(arg) === 1;
    const allForAllDbs = Boolean(arg && typeof arg === 'object' && !Array.isArray(arg) && (arg as Document).forAllDBs === true);
    let users: UserDocument[];
    if (allOnDb) {
      users = listUsers(server, db);
    } else if (allForAllDbs) {
      users = listUsers(server);
    } else {
      const names = Array.isArray(arg) ? arg.map((v) => parseName(v, db)) : [parseName(arg, db)];
      users = names.map((n) => findUser(server, n.db, n.user)).filter((u): u is UserDocument => u !== undefined);
    }
    if (showPrivileges) {
      if (allOnDb || allForAllDbs || body.filter !== undefined) {
        throw new CommandError('IllegalOperation', 'Privilege or restriction details require exact-match usersInfo queries');
      }
      return { users: users.map((u) => describeWithPrivileges(u, showCredentials)) };
    }
    const described = users.sort(byUserThenDb).map((u) => describe(u, showCredentials, body.showCustomData !== false));
    const filter = body.filter && typeof body.filter === 'object' ? compileFilter(body.filter as Document) : undefined;
    return { users: filter ? described.filter((d) => filter(d)) : described };
  },
};
