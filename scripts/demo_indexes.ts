/**
 * The indexes the demo shows around the commit: while syncing the destination holds relaxed forms (not unique,
 * visible, TTL that never fires); the commit restores the source's definitions.
 */
import type { Document, MongoClient } from 'mongodb';
import { COUNTED_NAMESPACES } from './demo_seed.js';

/** The seeded indexes whose sync-time form differs from the original, as `[db, collection, index name]`. */
const SHOWN = Object.freeze([
  ['shop', 'customers', 'email_1'],
  ['shop', 'customers', 'name_1_since_-1'],
  ['shop', 'sessions', 'lastSeen_1'],
] as const);

function describeIndex(spec: Document | undefined, name: string): string {
  if (spec === undefined) return `${name} missing`;
  if (spec.expireAfterSeconds !== undefined) return `${name} TTL ${spec.expireAfterSeconds} s`;
  if (name === 'email_1') return `${name} ${spec.unique === true ? 'unique' : 'not unique'}`;
  return `${name} ${spec.hidden === true ? 'hidden' : 'visible'}`;
}

/** One line on the unique, hidden and TTL indexes of a deployment, e.g. "email_1 unique, ... TTL 1800 s". */
export async function describeIndexes(client: MongoClient): Promise<string> {
  const parts: string[] = [];
  for (const [db, coll, name] of SHOWN) {
    const specs = await client.db(db).collection(coll).listIndexes().toArray();
    parts.push(describeIndex(specs.find((s) => s.name === name), name));
  }
  return parts.join(', ');
}

async function indexSpecs(client: MongoClient, ns: string): Promise<string> {
  const [db, coll] = ns.split('.') as [string, string];
  const specs = await client.db(db).collection(coll).listIndexes().toArray();
  // The format version may differ between deployments of different versions; it is not the user's definition.
  return JSON.stringify(specs.map(({ v: _v, ...spec }) => spec).sort((a, b) => String(a.name).localeCompare(String(b.name))));
}

/** The collections whose listIndexes differs between the two deployments. */
export async function differingIndexes(source: MongoClient, destination: MongoClient): Promise<string[]> {
  const differing: string[] = [];
  for (const ns of COUNTED_NAMESPACES) {
    if ((await indexSpecs(source, ns)) !== (await indexSpecs(destination, ns))) differing.push(ns);
  }
  return differing;
}
