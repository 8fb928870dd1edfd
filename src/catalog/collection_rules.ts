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
