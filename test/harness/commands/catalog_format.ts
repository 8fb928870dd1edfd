import type { Document } from 'bson';
import type { Collection } from '../engine/collection.js';
import { formatKeyValue } from '../engine/duplicate_key.js';

/** A collection's UUID as mongod prints it in messages: `UUID("…")`. */
export function formatUuid(collection: Collection): string {
  return `UUID("${collection.uuid.toUUID().toHexString()}")`;
}

/** A collection's stored options as mongod prints them in NamespaceExists messages: `{ uuid: UUID("…"), … }`. */
export function formatOptions(collection: Collection): string {
  const parts = [`uuid: ${formatUuid(collection)}`];
  for (const [k, v] of Object.entries(collection.options as Document)) parts.push(`${k}: ${formatKeyValue(v)}`);
  return `{ ${parts.join(', ')} }`;
}
