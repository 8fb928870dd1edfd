import type { Document } from 'bson';
import { ALL_ACTIONS, BUILTIN_ROLES, isBuiltinRole, MATCH_TYPES, type RolePrivilegeSpec } from './builtin_roles.js';

/** A role granted in a database, as user documents store it. */
export interface RoleName {
  role: string;
  db: string;
}

/** What a privilege applies to, as mongod's ResourcePattern. */
export type ResourcePattern =
  | { kind: 'any' }
  | { kind: 'cluster' }
  | { kind: 'anyNormal' }
  | { kind: 'database'; db: string }
  | { kind: 'collectionName'; collection: string }
  | { kind: 'exact'; db: string; collection: string }
  | { kind: 'anySystemBuckets' };

/** A set of actions on one resource pattern. */
export interface Privilege {
  resource: ResourcePattern;
  actions: ReadonlySet<string>;
}

/** What a command acts on: the cluster, a database, or a namespace. */
export type TargetResource =
  | { kind: 'cluster' }
  | { kind: 'database'; db: string }
  | { kind: 'namespace'; db: string; collection: string }
  /** Every normal collection of every database: what a cluster-wide change stream reads. */
  | { kind: 'anyNormal' };

/** Resource constructors for the authorization rules. */
export const RESOURCES = Object.freeze({
  cluster: (): TargetResource => ({ kind: 'cluster' }),
  database: (db: string): TargetResource => ({ kind: 'database', db }),
  namespace: (db: string, collection: string): TargetResource => ({ kind: 'namespace', db, collection }),
  anyNormal: (): TargetResource => ({ kind: 'anyNormal' }),
});

function roleKey(r: RoleName): string {
  return `${r.role}@${r.db}`;
}

/**
 * The roles a set of granted roles expands to, included roles first-found order, each once (the granted ones
 * included). Unknown roles are skipped: mongod refuses them at grant time.
 */
export function expandRoles(granted: readonly RoleName[]): RoleName[] {
  const seen = new Map<string, RoleName>();
  const visit = (r: RoleName): void => {
    if (seen.has(roleKey(r)) || !isBuiltinRole(r.role, r.db)) return;
    seen.set(roleKey(r), r);
    for (const sub of BUILTIN_ROLES[r.role]!.roles) visit(typeof sub === 'string' ? { role: sub, db: r.db } : sub);
  };
  for (const r of granted) visit(r);
  return [...seen.values()];
}

function bindPattern(spec: RolePrivilegeSpec, roleDb: string): ResourcePattern {
  switch (spec.match) {
    case MATCH_TYPES.any: return { kind: 'any' };
    case MATCH_TYPES.cluster: return { kind: 'cluster' };
    case MATCH_TYPES.anyNormal: return { kind: 'anyNormal' };
    case MATCH_TYPES.database: return { kind: 'database', db: spec.db ?? roleDb };
    case MATCH_TYPES.exactNamespace: return { kind: 'exact', db: spec.db ?? roleDb, collection: spec.collection! };
    case MATCH_TYPES.collection: return { kind: 'collectionName', collection: spec.collection! };
    case MATCH_TYPES.anySystemBuckets: return { kind: 'anySystemBuckets' };
  }
}

function patternKey(p: ResourcePattern): string {
  switch (p.kind) {
    case 'database': return `db:${p.db}`;
    case 'exact': return `ns:${p.db}.${p.collection}`;
    case 'collectionName': return `coll:${p.collection}`;
    default: return p.kind;
  }
}

/** The privileges a role grants by itself (not those of the roles it includes). */
export function rolePrivileges(r: RoleName): Privilege[] {
  if (!isBuiltinRole(r.role, r.db)) return [];
  if (r.role === '__system') return [{ resource: { kind: 'any' }, actions: new Set([ALL_ACTIONS]) }];
  return mergePrivileges(BUILTIN_ROLES[r.role]!.privileges.map((spec) => ({ resource: bindPattern(spec, r.db), actions: new Set(spec.actions) })));
}

/** All privileges granted by a set of roles, included roles too, merged per resource pattern. */
export function privilegesOfRoles(granted: readonly RoleName[]): Privilege[] {
  return mergePrivileges(expandRoles(granted).flatMap(rolePrivileges));
}

function mergePrivileges(privileges: Privilege[]): Privilege[] {
  const byPattern = new Map<string, { resource: ResourcePattern; actions: Set<string> }>();
  for (const p of privileges) {
    const key = patternKey(p.resource);
    const entry = byPattern.get(key) ?? { resource: p.resource, actions: new Set<string>() };
    for (const a of p.actions) entry.actions.add(a);
    byPattern.set(key, entry);
  }
  return [...byPattern.values()];
}

/**
 * mongod's NamespaceString::isNormalCollection: not a `system.` collection, and not one of local's `replset.*`
 * collections.
 */
export function isNormalCollection(db: string, collection: string): boolean {
  return !collection.startsWith('system.') && !(db === 'local' && collection.startsWith('replset.'));
}

/**
 * Whether a privilege's pattern covers a target, following mongod's ResourcePatternSearchList: the cluster is
 * matched by cluster and any; a database by its own pattern and by anyNormal (except local and config); a normal
 * collection also by its database and by its collection name in any database; a system collection only by exact,
 * collection-name and any patterns (system.buckets.* also by anySystemBuckets).
 */
export function patternMatches(pattern: ResourcePattern, target: TargetResource): boolean {
  if (pattern.kind === 'any') return true;
  const internalDb = (db: string) => db === 'local' || db === 'config';
  switch (target.kind) {
    case 'cluster':
      return pattern.kind === 'cluster';
    case 'anyNormal':
      return pattern.kind === 'anyNormal';
    case 'database':
      if (pattern.kind === 'anyNormal') return !internalDb(target.db);
      return pattern.kind === 'database' && pattern.db === target.db;
    case 'namespace': {
      const { db, collection } = target;
      if (isNormalCollection(db, collection)) {
        if (pattern.kind === 'anyNormal' && !internalDb(db)) return true;
        if (pattern.kind === 'database' && pattern.db === db) return true;
      } else if (collection.startsWith('system.buckets.') && pattern.kind === 'anySystemBuckets') {
        return true;
      }
      if (pattern.kind === 'collectionName') return pattern.collection === collection;
      return pattern.kind === 'exact' && pattern.db === db && pattern.collection === collection;
    }
  }
}

/** Whether `privileges` grant every one of `actions` on `target` (possibly through different patterns). */
export function isAuthorizedFor(privileges: readonly Privilege[], target: TargetResource, actions: readonly string[]): boolean {
  const granted = new Set<string>();
  for (const p of privileges) {
    if (!patternMatches(p.resource, target)) continue;
    if (p.actions.has(ALL_ACTIONS)) return true;
    for (const a of p.actions) granted.add(a);
  }
  return actions.every((a) => granted.has(a));
}

/** A privilege as mongod shows it (rolesInfo showPrivileges, connectionStatus showPrivileges). */
export function privilegeToDocument(p: Privilege): Document {
  const r = p.resource;
  let resource: Document;
  switch (r.kind) {
    case 'any': resource = { anyResource: true }; break;
    case 'cluster': resource = { cluster: true }; break;
    case 'anyNormal': resource = { db: '', collection: '' }; break;
    case 'database': resource = { db: r.db, collection: '' }; break;
    case 'collectionName': resource = { db: '', collection: r.collection }; break;
    case 'exact': resource = { db: r.db, collection: r.collection }; break;
    case 'anySystemBuckets': resource = { db: '', system_buckets: '' }; break;
  }
  return { resource, actions: [...p.actions].filter((a) => a !== ALL_ACTIONS).sort() };
}

/** Parses a role given as a string (the command's database) or `{role, db}`; undefined when malformed. */
export function parseRoleName(value: unknown, defaultDb: string): RoleName | undefined {
  if (typeof value === 'string') return { role: value, db: defaultDb };
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const { role, db } = value as { role?: unknown; db?: unknown };
    if (typeof role === 'string' && typeof db === 'string') return { role, db };
  }
  return undefined;
}
