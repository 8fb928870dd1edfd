/**
 * Which namespaces a migration syncs: the pure rule behind `includeNamespaces` / `excludeNamespaces`.
 *
 * Semantics follow mongosync's filtered sync
 * (https://www.mongodb.com/docs/mongosync/current/reference/collection-level-filtering/): with no include list
 * every namespace is included; with one, only namespaces matching one of its rules; a namespace matching any
 * exclude rule is excluded even if included. Regular expressions are unanchored, as with `$regex`.
 * Some namespaces are never synced whatever the filter says (see {@link isNeverSyncedNamespace}).
 */
import type { NamespaceFilterRule, RegexSpec } from '../config/namespace_rules.js';
import type { Namespace } from './namespace.js';

/**
 * Databases that are never synced: the server's own (`admin`, `local`, `config`) and this tool's internal
 * database, which lives on the destination (state/ owns its contents).
 */
export const NEVER_SYNCED_DATABASES: ReadonlySet<string> = new Set(['admin', 'local', 'config', '__c2c_sync_internal']);

/** The filter part of the resolved configuration. */
export interface NamespaceFilterOptions {
  /** Rules a namespace must match one of. Unset: every namespace. */
  readonly includeNamespaces?: readonly NamespaceFilterRule[] | undefined;
  /** Rules that exclude a namespace. Unset or empty: nothing excluded. */
  readonly excludeNamespaces?: readonly NamespaceFilterRule[] | undefined;
}

/** True for namespaces never synced: the databases of {@link NEVER_SYNCED_DATABASES} and `system.*` collections. */
export function isNeverSyncedNamespace(ns: Namespace): boolean {
  return NEVER_SYNCED_DATABASES.has(ns.db) || ns.coll.startsWith('system.');
}

/** True when the migration syncs `ns` under `filter` (exclude wins over include). */
export function isNamespaceIncluded(filter: NamespaceFilterOptions, ns: Namespace): boolean {
  if (isNeverSyncedNamespace(ns)) return false;
  const include = filter.includeNamespaces;
  if (include !== undefined && !include.some((rule) => ruleMatches(rule, ns))) return false;
  return !(filter.excludeNamespaces ?? []).some((rule) => ruleMatches(rule, ns));
}

/**
 * True when some collection of `db` may be synced: decides whether a database-level event (dropDatabase) concerns
 * the migration.
 */
export function isDatabaseIncluded(filter: NamespaceFilterOptions, db: string): boolean {
  if (NEVER_SYNCED_DATABASES.has(db)) return false;
  const include = filter.includeNamespaces;
  if (include !== undefined && !include.some((rule) => databaseMatches(rule, db))) return false;
  // Only a rule that covers every collection of the database excludes the database itself.
  return !(filter.excludeNamespaces ?? []).some(
    (rule) => databaseMatches(rule, db) && rule.collections === undefined && rule.collectionsRegex === undefined,
  );
}

function ruleMatches(rule: NamespaceFilterRule, ns: Namespace): boolean {
  if (!databaseMatches(rule, ns.db)) return false;
  if (rule.collections !== undefined) return rule.collections.includes(ns.coll);
  if (rule.collectionsRegex !== undefined) return compiled(rule.collectionsRegex).test(ns.coll);
  return true;
}

function databaseMatches(rule: NamespaceFilterRule, db: string): boolean {
  if (rule.database !== undefined) return rule.database === db;
  if (rule.databaseRegex !== undefined) return compiled(rule.databaseRegex).test(db);
  return false;
}

/** Compiled regexes by spec object; the resolved configuration is frozen, so a spec never changes. */
const COMPILED = new WeakMap<RegexSpec, RegExp>();

function compiled(spec: RegexSpec): RegExp {
  let regex = COMPILED.get(spec);
  if (regex === undefined) {
    // No `g` or `y` flag: `test()` must not keep a lastIndex between calls.
    regex = new RegExp(spec.pattern, spec.options);
    COMPILED.set(spec, regex);
  }
  return regex;
}
