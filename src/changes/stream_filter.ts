/**
 * The server-side filter of the deployment-wide change stream: a `$match` stage that lets through the events of the
 * namespaces the migration syncs, so that the events of other namespaces never cross the network.
 *
 * The stage is a superset of what `catalog/namespace_filter.ts` decides: translation applies the exact rule to every
 * event it receives. It keeps an event when its namespace (`ns`) or its rename target (`to`, for renames into the
 * filtered set) is included, and every dropDatabase of a database that is not internal.
 */
import type { Document } from 'mongodb';
import { NEVER_SYNCED_DATABASES, type NamespaceFilterOptions } from '../catalog/namespace_filter.js';
import type { NamespaceFilterRule, RegexSpec } from '../config/namespace_rules.js';

/** The `$match` stage that follows `$changeStream`. */
export function changeStreamMatch(filter: NamespaceFilterOptions): Document {
  return {
    $match: {
      $or: [
        namespaceIncluded('ns', filter),
        namespaceIncluded('to', filter),
        { operationType: 'dropDatabase', 'ns.db': { $nin: [...NEVER_SYNCED_DATABASES] } },
      ],
    },
  };
}

function namespaceIncluded(prefix: string, filter: NamespaceFilterOptions): Document {
  const db = `${prefix}.db`;
  const coll = `${prefix}.coll`;
  const clauses: Document[] = [
    { [db]: { $nin: [...NEVER_SYNCED_DATABASES] } },
    // $type also requires the field: database events and events without `to` have no `<prefix>.coll`.
    { [coll]: { $type: 'string', $not: /^system\./ } },
  ];
  if (filter.includeNamespaces !== undefined) clauses.push({ $or: filter.includeNamespaces.map((r) => ruleMatch(prefix, r)) });
  const excludes = filter.excludeNamespaces ?? [];
  if (excludes.length > 0) clauses.push({ $nor: excludes.map((r) => ruleMatch(prefix, r)) });
  return { $and: clauses };
}

function ruleMatch(prefix: string, rule: NamespaceFilterRule): Document {
  const out: Document = {};
  if (rule.database !== undefined) out[`${prefix}.db`] = rule.database;
  else if (rule.databaseRegex !== undefined) out[`${prefix}.db`] = regex(rule.databaseRegex);
  if (rule.collections !== undefined) out[`${prefix}.coll`] = { $in: [...rule.collections] };
  else if (rule.collectionsRegex !== undefined) out[`${prefix}.coll`] = regex(rule.collectionsRegex);
  return out;
}

/** `$regex` with the rule's flags; `u` is JavaScript's only (the server's regexes are UTF-8 aware already). */
function regex(spec: RegexSpec): Document {
  const options = spec.options.replace(/u/g, '');
  return options.length > 0 ? { $regex: spec.pattern, $options: options } : { $regex: spec.pattern };
}
