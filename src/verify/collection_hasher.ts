/**
 * Reads a whole collection once, in natural order, and returns its document count and the order-independent hash
 * of its documents' exact bytes. Memory stays constant: documents are hashed as they stream in.
 */
import type { Collection, Document } from 'mongodb';
import { MultisetHash } from './multiset_hash.js';
import { rawDocuments } from './raw_documents.js';

/** What {@link hashCollection} returns. */
export interface CollectionDigest {
  /** Documents read. */
  readonly count: number;
  /** {@link MultisetHash} of their bytes, 64 hex digits. */
  readonly hash: string;
}

/** Hashes every document of `collection`. */
export async function hashCollection(collection: Collection<Document>, signal?: AbortSignal): Promise<CollectionDigest> {
  const hash = new MultisetHash();
  for await (const document of rawDocuments(collection, { signal })) hash.add(document);
  return { count: hash.count, hash: hash.toHex() };
}
