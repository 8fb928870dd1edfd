/**
 * A collection's document count and average document size, from `$collStats` (storageStats), which both mongod
 * and the embedded server answer without scanning.
 */
import type { Collection, Document } from 'mongodb';

export interface CollectionSize {
  readonly count: number;
  readonly averageDocumentBytes: number;
  readonly totalBytes: number;
}

export async function collectionSize(collection: Collection<Document>): Promise<CollectionSize> {
  const [stats] = await collection.aggregate([{ $collStats: { storageStats: {} } }]).toArray();
  const storage = (stats?.storageStats ?? {}) as Document;
  const count = Number(storage.count ?? 0);
  const totalBytes = Number(storage.size ?? 0);
  return { count, totalBytes, averageDocumentBytes: count > 0 ? totalBytes / count : 0 };
}
