/**
 * The pure rules that turn a source index into the index kept on the destination while syncing, and back at
 * commit. While syncing, the destination must accept every state the source passed through, in any order of
 * application, so constraints and side effects are lifted:
 * - unique -> non-unique (documents may arrive out of order and briefly collide); restored with prepareUnique then
 *   unique at commit;
 * - TTL -> expireAfterSeconds 2147483647 (the destination must not delete what the source still holds);
 * - hidden -> visible (the sync's own reads may use it);
 * - legacy key values 0 and "" -> 1 (mongod 4.4+ refuses them) and options mongod no longer accepts are dropped.
 */
import type { Document } from 'mongodb';

/** expireAfterSeconds of a TTL index while syncing: the largest value mongod accepts (about 68 years). */
export const SYNC_TTL_SECONDS = 2147483647;

/** Index options createIndexes accepts on mongod 7.0/8.0 (besides `key` and `name`). */
export const ACCEPTED_INDEX_OPTIONS: ReadonlySet<string> = new Set([
  'v', 'unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'hidden', 'collation', 'weights',
  'default_language', 'language_override', 'textIndexVersion', '2dsphereIndexVersion', 'bits', 'min', 'max',
  'bucketSize', 'wildcardProjection', 'storageEngine', 'prepareUnique', 'clustered',
]);

/** An index as created on the destination during the sync, with what was changed and why. */
export interface SyncIndex {
  /** The spec to pass to createIndexes. */
  readonly spec: Document;
  /** Human-readable notes about dropped options or legacy values (for the log and status warnings). */
  readonly warnings: readonly string[];
}

/** True for the `_id` index, which every collection (not clustered) gets by itself. */
export function isIdIndex(spec: Document): boolean {
  return spec.name === '_id_';
}

/** The destination index while syncing (see the module comment). */
export function indexForSync(original: Document): SyncIndex {
  const warnings: string[] = [];
  const spec: Document = { key: normalizeKey(original.key as Document, warnings), name: original.name };
  for (const [option, value] of Object.entries(original)) {
    if (option === 'key' || option === 'name' || option === 'ns' || option === 'background') continue;
    if (!ACCEPTED_INDEX_OPTIONS.has(option)) {
      warnings.push(`index ${String(original.name)}: option ${option} is not accepted by mongod and was dropped`);
      continue;
    }
    if (option === 'unique' || option === 'prepareUnique' || option === 'hidden') continue;
    spec[option] = option === 'expireAfterSeconds' ? SYNC_TTL_SECONDS : value;
  }
  return { spec, warnings };
}

function normalizeKey(key: Document, warnings: string[]): Document {
  const out: Document = {};
  for (const [field, value] of Object.entries(key)) {
    const numeric = typeof value === 'number' ? value : Number((value as { valueOf?: () => unknown })?.valueOf?.());
    if (value === '' || (Number.isFinite(numeric) && numeric === 0 && typeof value !== 'string')) {
      warnings.push(`index key ${field}: legacy value ${JSON.stringify(value)} became 1`);
      out[field] = 1;
    } else {
      out[field] = value;
    }
  }
  return out;
}
