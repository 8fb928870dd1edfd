import { serialize, UUID, type Binary, type Document } from 'bson';
import type { ServerState } from '../engine/server_state.js';
import type { OperationContext, WritePath } from '../engine/write_path.js';
import type { Collection } from '../engine/collection.js';
import type { StoredDocument } from '../engine/stored_document.js';
import type { UserSeed } from '../server_options.js';
import { CommandError } from '../errors.js';
import { addIndex, int32 } from '../engine/indexes/index_catalog.js';
import { deriveCredential, isScramMechanism, SCRAM_MECHANISMS, type ScramCredential, type ScramMechanism } from './scram.js';
import { isBuiltinRole, BUILTIN_ROLES } from './builtin_roles.js';
import type { RoleName } from './privileges.js';

/** Where mongod keeps every user of every database. */
export const USERS_DB = 'admin';
export const USERS_COLLECTION = 'system.users';

/** A user document of `admin.system.users`, in mongod's shape. */
export interface UserDocument {
  /** `<db>.<user>`. */
  _id: string;
  userId: Binary;
  user: string;
  db: string;
  /** Per mechanism; a mechanism absent here cannot be used to authenticate. */
  credentials: Partial<Record<ScramMechanism, ScramCredential>>;
  roles: RoleName[];
  /** Only when createUser/updateUser set it. */
  customData?: Document;
}

/** The `_id` of a user document. */
export function userId(db: string, user: string): string {
  return `${db}.${user}`;
}

/** mongod's UserName display form, `user@db`, used in messages. */
export function userDisplayName(db: string, user: string): string {
  return `${user}@${db}`;
}

function usersCollection(state: ServerState): Collection | undefined {
  return state.catalog.getCollection(USERS_DB, USERS_COLLECTION);
}

function toUserDocument(stored: StoredDocument): UserDocument {
  const doc = stored.doc;
  const credentials: UserDocument['credentials'] = {};
  for (const [mechanism, c] of Object.entries((doc.credentials ?? {}) as Document)) {
    if (!isScramMechanism(mechanism)) continue;
    credentials[mechanism] = { iterationCount: Number(c.iterationCount), salt: String(c.salt), storedKey: String(c.storedKey), serverKey: String(c.serverKey) };
  }
  return {
    _id: String(doc._id),
    userId: doc.userId as Binary,
    user: String(doc.user),
    db: String(doc.db),
    credentials,
    roles: ((doc.roles ?? []) as Document[]).map((r) => ({ role: String(r.role), db: String(r.db) })),
    ...(doc.customData !== undefined ? { customData: doc.customData as Document } : {}),
  };
}

/** Looks a user up by name; undefined when it does not exist. */
export function findUser(state: ServerState, db: string, user: string): UserDocument | undefined {
  const stored = usersCollection(state)?.findById(userId(db, user));
  return stored ? toUserDocument(stored) : undefined;
}

/** Every user, in `_id` order (as usersInfo lists them); only those of `db` when given. */
export function listUsers(state: ServerState, db?: string): UserDocument[] {
  const coll = usersCollection(state);
  if (!coll) return [];
  const users = [...coll.naturalOrder()].map(toUserDocument).filter((u) => db === undefined || u.db === db);
  return users.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
}

/** The mechanisms a user can authenticate with, in mongod's order. */
export function userMechanisms(user: UserDocument): ScramMechanism[] {
  return (Object.keys(SCRAM_MECHANISMS) as ScramMechanism[]).filter((m) => user.credentials[m] !== undefined);
}

/** Checks that every role exists (RoleNotFound, 31, as mongod's grant-time check). */
export function assertRolesExist(roles: readonly RoleName[]): void {
  for (const r of roles) {
    if (!isBuiltinRole(r.role, r.db)) throw new CommandError('RoleNotFound', `Could not find role: ${r.role}@${r.db}`);
  }
}

/** Credentials for `mechanisms` (both SCRAM mechanisms by default, as mongod's createUser). */
export function buildCredentials(user: string, password: string, mechanisms: readonly ScramMechanism[]): UserDocument['credentials'] {
  const credentials: UserDocument['credentials'] = {};
  for (const m of mechanisms) credentials[m] = deriveCredential(m, user, password);
  return credentials;
}

/** Serializes a user document with mongod's field order, `_id` first. */
export function serializeUser(user: UserDocument): Buffer {
  // mongod's createUser order: _id, userId, user, db, credentials, customData, roles.
  const doc: Document = { _id: user._id, userId: user.userId, user: user.user, db: user.db, credentials: user.credentials };
  if (user.customData !== undefined) doc.customData = user.customData;
  doc.roles = user.roles;
  return Buffer.from(serialize(doc));
}

/** Writes a new user through the write path (so it is in the oplog, as mongod's insert into admin.system.users). */
export function insertUser(writes: WritePath, op: OperationContext, user: UserDocument): void {
  const coll = withUsersIndex(writes.ensureCollection(USERS_DB, USERS_COLLECTION, op));
  writes.insert(coll, serializeUser(user), op);
}

/**
 * mongod gives admin.system.users a unique `user_1_db_1` index when it creates the collection
 * (auth_index_d.cpp createSystemIndexes); listIndexes shows it.
 */
function withUsersIndex(coll: Collection): Collection {
  if (!coll.indexes.has(USERS_INDEX_NAME)) {
    addIndex(coll, { v: int32(2), key: { user: int32(1), db: int32(1) }, name: USERS_INDEX_NAME, unique: true });
  }
  return coll;
}

const USERS_INDEX_NAME = 'user_1_db_1';

/** Replaces a user's document. */
export function replaceUser(state: ServerState, writes: WritePath, op: OperationContext, user: UserDocument): void {
  const coll = usersCollection(state);
  const old = coll?.findById(user._id);
  if (!coll || !old) throw new CommandError('UserNotFound', `User ${userDisplayName(user.db, user.user)} not found`);
  writes.update(coll, old, serializeUser(user), op, 'replacement');
}

/** Removes a user; false when it did not exist. */
export function removeUser(state: ServerState, writes: WritePath, op: OperationContext, db: string, user: string): boolean {
  const coll = usersCollection(state);
  const old = coll?.findById(userId(db, user));
  if (!coll || !old) return false;
  writes.delete(coll, old, op);
  return true;
}

/** A new user document (random userId and salts). */
export function newUser(db: string, user: string, password: string, roles: RoleName[], mechanisms: readonly ScramMechanism[], customData?: Document): UserDocument {
  return {
    _id: userId(db, user),
    userId: new UUID().toBinary(),
    user,
    db,
    credentials: buildCredentials(user, password, mechanisms),
    roles,
    ...(customData !== undefined ? { customData } : {}),
  };
}

/** Parses a seed role: `name` is an admin-database role, `name@db` a role of that database. */
export function parseSeedRole(spec: string): RoleName {
  const at = spec.lastIndexOf('@');
  return at < 0 ? { role: spec, db: 'admin' } : { role: spec.slice(0, at), db: spec.slice(at + 1) };
}

/**
 * Creates the users of `ServerOptions.users` in `admin.system.users` at start. They are written to the catalog
 * directly, not through the oplog: to clients they are users that existed before the server started, as on a
 * mongod restarted with --auth. Throws on an unknown role or a duplicate user, naming it.
 */
export function seedUsers(state: ServerState, seeds: readonly UserSeed[]): void {
  if (seeds.length === 0) return;
  const coll = withUsersIndex(state.catalog.getCollection(USERS_DB, USERS_COLLECTION) ?? state.catalog.create(USERS_DB, USERS_COLLECTION));
  for (const seed of seeds) {
    const roles = seed.roles.map(parseSeedRole);
    for (const r of roles) {
      if (!isBuiltinRole(r.role, r.db)) {
        const hint = Object.hasOwn(BUILTIN_ROLES, r.role) ? ` (${r.role} exists only in the admin database)` : '';
        throw new Error(`user '${seed.user}': unknown role '${r.role}@${r.db}'${hint}`);
      }
    }
    if (coll.findById(userId(USERS_DB, seed.user))) throw new Error(`user '${seed.user}' is configured twice`);
    coll.insert(serializeUser(newUser(USERS_DB, seed.user, seed.password, roles, Object.keys(SCRAM_MECHANISMS) as ScramMechanism[])));
  }
}
