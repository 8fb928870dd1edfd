/**
 * What the user of a connection may do, read from the server itself (`connectionStatus` with `showPrivileges`), and
 * the pure comparison of those privileges with the ones a migration needs. Reading them from the server rather than
 * from role names covers custom roles and every built-in role alike.
 */
import type { Document, MongoClient } from 'mongodb';

/**
 * The resources a migration needs actions on: the cluster itself, or every normal (non-system) collection of every
 * database (mongod's `{db: "", collection: ""}` pattern, what a cluster-wide change stream and a copy of every
 * database read).
 */
export const PRIVILEGE_SCOPES = Object.freeze(['cluster', 'anyNormal'] as const);
export type PrivilegeScope = (typeof PRIVILEGE_SCOPES)[number];

/** One action a migration needs on one scope. */
export interface RequiredAction {
  readonly scope: PrivilegeScope;
  readonly action: string;
}

/** One privilege as `connectionStatus.authInfo.authenticatedUserPrivileges` lists it. */
export interface GrantedPrivilege {
  /** `{cluster: true}`, `{anyResource: true}`, `{db, collection}` (empty strings mean "any"), `{db, system_buckets}`. */
  readonly resource: Readonly<Document>;
  readonly actions: readonly string[];
}

/** What a connection's users are allowed. */
export interface ConnectionPrivileges {
  /** `user@db` of each authenticated user; empty when the connection is not authenticated. */
  readonly users: readonly string[];
  readonly privileges: readonly GrantedPrivilege[];
  /**
   * True when the server does not enforce access control (no `--auth`): nobody is authenticated and yet a
   * privileged command is allowed, so every action is.
   */
  readonly unrestricted: boolean;
}

/** mongod's `Unauthorized` error code. */
const UNAUTHORIZED = 13;

/** Reads the privileges of a connected client's users. */
export async function readConnectionPrivileges(client: MongoClient): Promise<ConnectionPrivileges> {
  const reply = await client.db('admin').command({ connectionStatus: 1, showPrivileges: true });
  const authInfo = (reply.authInfo ?? {}) as Document;
  const users = Array.isArray(authInfo.authenticatedUsers) ? (authInfo.authenticatedUsers as Document[]) : [];
  const privileges = Array.isArray(authInfo.authenticatedUserPrivileges) ? (authInfo.authenticatedUserPrivileges as Document[]) : [];
  return {
    users: users.map((u) => `${String(u.user)}@${String(u.db)}`),
    unrestricted: users.length === 0 && (await privilegedCommandAllowed(client)),
    privileges: privileges.map((p) => ({
      resource: (p.resource ?? {}) as Document,
      actions: Array.isArray(p.actions) ? (p.actions as unknown[]).map(String) : [],
    })),
  };
}

/**
 * Whether an unauthenticated connection may run `listDatabases`: it may when access control is off, and gets
 * `Unauthorized` when it is on.
 */
async function privilegedCommandAllowed(client: MongoClient): Promise<boolean> {
  try {
    await client.db('admin').command({ listDatabases: 1, nameOnly: true });
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === UNAUTHORIZED) return false;
    throw error;
  }
}

/**
 * Whether a granted resource pattern covers a scope, as mongod's resource pattern search does: the cluster is
 * covered by `{cluster: true}` and `{anyResource: true}`; every normal collection only by `{db: "", collection: ""}`
 * and `{anyResource: true}` (a grant on one database, or on one collection name, covers less than that).
 */
export function resourceCovers(resource: Readonly<Document>, scope: PrivilegeScope): boolean {
  if (resource.anyResource === true) return true;
  if (scope === 'cluster') return resource.cluster === true;
  return resource.db === '' && resource.collection === '';
}

/** The required actions that no granted privilege allows, in the order they were required. */
export function missingActions(granted: readonly GrantedPrivilege[], required: readonly RequiredAction[]): RequiredAction[] {
  return required.filter(
    ({ scope, action }) => !granted.some((p) => resourceCovers(p.resource, scope) && p.actions.includes(action)),
  );
}
