import type { Document, Long } from 'bson';
import type { ServerState } from '../engine/server_state.js';
import type { AuthenticatedUser, ConnectionState } from '../connection_state.js';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { commandRequirement, type AuthzRequest, type Requirement } from './command_requirements.js';
import { expandRoles, isAuthorizedFor, patternMatches, privilegesOfRoles, RESOURCES, type Privilege, type RoleName } from './privileges.js';
import { findUser } from './user_store.js';
import { bsonToString } from './bson_to_string.js';
import { cursorOwnerKey } from './cursor_owner.js';

const privilegeCache = new Map<string, Privilege[]>();

/** The privileges of a connection's users (memoized by role set: built-in roles never change). */
export function connectionPrivileges(conn: ConnectionState): Privilege[] {
  const roles = conn.users.flatMap((u) => u.roles);
  const key = roles.map((r) => `${r.role}@${r.db}`).sort().join(',');
  let privileges = privilegeCache.get(key);
  if (!privileges) {
    privileges = privilegesOfRoles(roles);
    privilegeCache.set(key, privileges);
  }
  return privileges;
}

/**
 * Whether the connection may write while user writes are blocked: always without auth (as mongod without
 * --auth), otherwise when its user holds the cluster action bypassWriteBlockingMode (in mongod 7.0's built-in
 * roles: restore, root through restore, and __system).
 */
export function mayBypassWriteBlocking(state: ServerState, conn: ConnectionState): boolean {
  if (!state.authEnabled) return true;
  return isAuthorizedFor(connectionPrivileges(conn), RESOURCES.cluster(), ['bypassWriteBlockingMode']);
}

/**
 * Re-reads the connection's users from admin.system.users, as mongod refreshes a session's user when the user
 * cache is invalidated: granted or revoked roles apply to open connections, and a dropped user is logged out.
 */
export function refreshConnectionUsers(state: ServerState, conn: ConnectionState): void {
  for (let i = conn.users.length - 1; i >= 0; i--) {
    const current = conn.users[i]!;
    const stored = findUser(state, current.db, current.user);
    if (!stored) conn.users.splice(i, 1);
    else current.roles = stored.roles.map((r) => ({ ...r }));
  }
}

/** What a requirement is checked against: the user's privileges and identity, and the cursor registry. */
interface AuthzSubject {
  user: AuthenticatedUser | undefined;
  privileges: Privilege[];
  roles: RoleName[];
  ownerKey: string;
  cursorOwner(id: Long): string | undefined;
}

function satisfies(requirement: Requirement, subject: AuthzSubject): boolean {
  switch (requirement.kind) {
    case 'none':
    case 'authenticated':
      return true;
    case 'privileges':
      return requirement.checks.every((c) => isAuthorizedFor(subject.privileges, c.resource, c.actions));
    case 'anyOf':
      return requirement.options.some((o) => satisfies(o, subject));
    case 'cursorOwner':
      // A cursor that does not exist passes: the command itself answers CursorNotFound.
      return requirement.ids.every((id) => {
        const owner = subject.cursorOwner(id);
        return owner === undefined || owner === subject.ownerKey;
      }) || (requirement.unless !== undefined && satisfies(requirement.unless, subject));
    case 'isUser':
      return subject.user !== undefined && requirement.users.every((u) => u.user === subject.user!.user && u.db === subject.user!.db);
    case 'anyActionOnDatabase':
      return hasPrivilegeInDatabase(subject.privileges, requirement.db);
    case 'holdsRoles': {
      const held = new Set(expandRoles(subject.roles).map((r) => `${r.role}@${r.db}`));
      return requirement.roles.every((r) => held.has(`${r.role}@${r.db}`));
    }
    case 'root':
      return expandRoles(subject.roles).some((r) => r.db === 'admin' && (r.role === 'root' || r.role === '__system'));
  }
}

/** The command as mongod prints it in "not authorized" messages, with passwords snipped as mongod's snipForLogging. */
function commandForMessage(ctx: CommandContext): string {
  const body: Document = { ...ctx.body };
  if ((ctx.commandName === 'createUser' || ctx.commandName === 'updateUser') && body.pwd !== undefined) body.pwd = 'xxx';
  return bsonToString(body);
}

function authzRequest(ctx: CommandContext): AuthzRequest {
  const sequences = new Map<string, Document[]>();
  // Only the statements that change what is required are decoded (upserts, bulkWrite ops); inserts are not.
  for (const name of ['updates', 'ops']) {
    const raw = ctx.sequences.get(name);
    if (raw) sequences.set(name, raw.map((r) => r.toDocument()));
  }
  return { db: ctx.db, commandName: ctx.commandName, body: ctx.body, sequences };
}

/**
 * The one authorization gate, called by the router for every command while auth is enabled: refreshes the
 * connection's user, then throws Unauthorized (13) as mongod does: "Command <name> requires authentication" before
 * authentication, "not authorized on <db> to execute command { ... }" when the user lacks a privilege.
 * Commands whose definition says `requiresAuth: false` are open as well as those in OPEN_COMMANDS.
 */
export function authorizeCommand(ctx: CommandContext, def?: CommandDefinition): void {
  const { server, conn } = ctx;
  refreshConnectionUsers(server, conn);
  ctx.op.bypassWriteBlocking = mayBypassWriteBlocking(server, conn);
  const requirement: Requirement = def?.requiresAuth === false ? { kind: 'none' } : commandRequirement(authzRequest(ctx));
  if (requirement.kind === 'none') return;
  if (conn.users.length === 0) {
    throw new CommandError('Unauthorized', `Command ${ctx.commandName} requires authentication`);
  }
  const subject: AuthzSubject = {
    user: conn.users[0],
    privileges: connectionPrivileges(conn),
    roles: conn.users.flatMap((u) => u.roles),
    ownerKey: cursorOwnerKey(conn),
    cursorOwner: (id) => server.cursors.ownerOf(id),
  };
  if (satisfies(requirement, subject)) return;
  if (requirement.kind === 'cursorOwner' && ctx.commandName === 'getMore') {
    throw new CommandError('Unauthorized', `cursor id ${requirement.ids[0]?.toString()} was not created by the authenticated user`);
  }
  throw new CommandError('Unauthorized', `not authorized on ${ctx.db} to execute command ${commandForMessage(ctx)}`);
}

/**
 * Whether the connection's user may list every database (the cluster action listDatabases); listDatabases then
 * lists only the authorized ones unless `authorizedDatabases: false`. Always true without auth.
 */
export function mayListAllDatabases(state: ServerState, conn: ConnectionState): boolean {
  return !state.authEnabled || isAuthorizedFor(connectionPrivileges(conn), RESOURCES.cluster(), ['listDatabases']);
}

/**
 * For listDatabases of authorized databases only: whether the connection's user has a privilege in `db`
 * (mongod's isAuthorizedForAnyActionOnAnyResourceInDB). Always true without auth.
 */
export function mayListDatabase(state: ServerState, conn: ConnectionState, db: string): boolean {
  return !state.authEnabled || hasPrivilegeInDatabase(connectionPrivileges(conn), db);
}

/**
 * mongod's isAuthorizedForAnyActionOnAnyResourceInDB: a privilege on any resource, on the database, on a
 * collection of it, on anyNormal (except for local and config), or on a collection name or system.buckets
 * collections, which exist in every database.
 */
function hasPrivilegeInDatabase(privileges: readonly Privilege[], db: string): boolean {
  return privileges.some((p) => {
    const r = p.resource;
    switch (r.kind) {
      case 'any':
      case 'collectionName':
      case 'anySystemBuckets':
        return true;
      case 'anyNormal':
        return db !== 'local' && db !== 'config';
      case 'database':
      case 'exact':
        return r.db === db;
      case 'cluster':
        return false;
    }
  });
}

/**
 * For listCollections with `authorizedCollections: true`: whether the connection's user may see `db.collection`
 * in the list, that is holds some action on it (mongod's isAuthorizedForAnyActionOnResource on the exact
 * namespace; a database privilege covers its normal collections, not its system ones). Always true without auth.
 */
export function mayListCollection(state: ServerState, conn: ConnectionState, db: string, collection: string): boolean {
  if (!state.authEnabled) return true;
  const target = RESOURCES.namespace(db, collection);
  return connectionPrivileges(conn).some((p) => p.actions.size > 0 && patternMatches(p.resource, target));
}
