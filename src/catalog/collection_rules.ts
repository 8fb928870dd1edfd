/**
 * The pure rules for collection options on the destination while syncing: a capped collection gets the largest
 * size (and no document maximum) so that it never evicts a document the source still holds; commit restores the
 * original size and max with collMod.
 */
import type { Document } from 'mongodb';

/** Capped size while syncing: 1 PiB, mongod's maximum for a capped collection. */
export const SYNC_CAPPED_SIZE_BYTES = 1024 ** 5;

/** The kinds of namespace the catalog handles. */
export type CollectionKind = 'collection' | 'view' | 'timeseries';

/** The create options for the destination collection while syncing. */
export function collectionOptionsForSync(options: Document): Document {
  const out: Document = { ...options };
  if (out.capped === true) {
    out.size = SYNC_CAPPED_SIZE_BYTES;
    delete out.max;
  }
  return out;
}

/** The collMod that commit runs to restore a capped collection's size and max, or undefined when none is needed. */
export function collectionRestoreCommand(coll: string, original: Document): Document | undefined {
  if (original.capped !== true) return undefined;
  const command: Document = { collMod: coll, cappedSize: original.size };
  if (original.max !== undefined) command.cappedMax = original.max;
  return command;
}
