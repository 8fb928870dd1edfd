import type { Document } from 'bson';
import type { ServerState } from '../engine/server_state.js';
import { CommandError } from '../errors.js';
import { isScramMechanism, SCRAM_MECHANISMS, type ScramMechanism } from './scram.js';
import { parseRoleName, type RoleName } from './privileges.js';
import { assertRolesExist, findUser, type UserDocument } from './user_store.js';

/** The user name argument of a user command (its first field), non-empty. */
export function userNameArgument(body: Document, commandName: string): string {
  const name = body[commandName];
  if (typeof name !== 'string') {
    throw new CommandError('TypeMismatch', `BSON field '${commandName}.${commandName}' is the wrong type '${typeof name}', expected type 'string'`);
  }
  if (name === '') throw new CommandError('BadValue', "User document needs 'user' field to be non-empty");
  return name;
}

/** A `roles` array: names (of `db`) or `{role, db}` documents, each an existing role. */
export function rolesArgument(body: Document, commandName: string, db: string, required: boolean): RoleName[] | undefined {
  const value = body.roles;
  if (value === undefined) {
    if (required) throw new CommandError('IDLFailedToParse', `BSON field '${commandName}.roles' is missing but a required field`, {}, 40414);
    return undefined;
  }
  if (!Array.isArray(value)) {
    throw new CommandError('TypeMismatch', `BSON field '${commandName}.roles' is the wrong type '${typeof value}', expected type 'array'`);
  }
  const roles: RoleName[] = [];
  for (const r of value) {
    const parsed = parseRoleName(r, db);
    if (!parsed) throw new CommandError('BadValue', 'Role names must be either strings or objects with "role" and "db" fields');
    if (!roles.some((x) => x.role === parsed.role && x.db === parsed.db)) roles.push(parsed);
  }
  assertRolesExist(roles);
  return roles;
}

/**
 * The arguments of grantRolesToUser and revokeRolesFromUser: the user (read before the roles are checked, as
 * mongod does, so an unknown user wins over an unknown role) and a non-empty `roles` array.
 */
export function roleChangeArguments(state: ServerState, body: Document, commandName: string, db: string): { user: UserDocument; roles: RoleName[] } {
  const name = userNameArgument(body, commandName);
  if (Array.isArray(body.roles) && body.roles.length === 0) {
    throw new CommandError('BadValue', `${commandName} command requires a non-empty "roles" array`);
  }
  const user = findUser(state, db, name);
  if (!user) throw new CommandError('UserNotFound', `Could not find user "${name}" for db "${db}"`);
  return { user, roles: rolesArgument(body, commandName, db, true)! };
}

/** The `pwd` argument, a non-empty string; undefined when absent. */
export function passwordArgument(body: Document, commandName: string): string | undefined {
  const pwd = body.pwd;
  if (pwd === undefined) return undefined;
  if (typeof pwd !== 'string') {
    throw new CommandError('TypeMismatch', `BSON field '${commandName}.pwd' is the wrong type '${typeof pwd}', expected type 'string'`);
  }
  if (pwd === '') throw new CommandError('BadValue', 'User passwords must not be empty');
  if (body.digestPassword === false) {
    // A pre-digested password only fits SCRAM-SHA-1, and mongod refuses it for SCRAM-SHA-256 (the default set).
    throw new CommandError('BadValue', 'Use of SCRAM-SHA-256 requires undigested passwords');
  }
  return pwd;
}

/** The `mechanisms` argument: a non-empty subset of the SCRAM mechanisms; undefined when absent. */
export function mechanismsArgument(body: Document): ScramMechanism[] | undefined {
  const value = body.mechanisms;
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new CommandError('TypeMismatch', "BSON field 'mechanisms' is the wrong type, expected type 'array'");
  if (value.length === 0) throw new CommandError('BadValue', 'mechanisms field must not be empty');
  const out: ScramMechanism[] = [];
  for (const m of value) {
    if (!isScramMechanism(m)) throw new CommandError('BadValue', `Unknown auth mechanism '${String(m)}'`);
    if (!out.includes(m)) out.push(m);
  }
  return out;
}

/** Both SCRAM mechanisms: what createUser gives a user by default. */
export const DEFAULT_MECHANISMS = Object.freeze(Object.keys(SCRAM_MECHANISMS) as ScramMechanism[]);

/** The optional `customData` document. */
export function customDataArgument(body: Document, commandName: string): Document | undefined {
  const value = body.customData;
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CommandError('TypeMismatch', `BSON field '${commandName}.customData' is the wrong type, expected type 'object'`);
  }
  return value as Document;
}

/** mongod keeps no users in local, and $external users need external authentication, which this server lacks. */
export function assertUserDatabase(db: string): void {
  if (db === 'local') throw new CommandError('BadValue', 'Cannot create users in the local database');
  if (db === '$external') {
    throw new CommandError('BadValue', 'Cannot create users in the $external database: the embedded server has no external (x.509, LDAP, Kerberos) authentication');
  }
}
