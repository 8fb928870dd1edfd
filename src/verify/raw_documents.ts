/**
 * Documents of a collection as their exact bytes, streamed: the driver's `raw: true` hands each document over as
 * the Buffer the server sent, without decoding it, so that nothing (number types, field order, binary subtypes)
 * is normalized before it is hashed or compared.
 */
import type { Collection, CollationOptions, Document, Sort } from 'mongodb';
import { InterruptedError } from '../errors.js';

/** Options of {@link rawDocuments}. */
export interface RawDocumentsOptions {
  /** Sort order; unset: natural order (the cheapest read). */
  readonly sort?: Sort;
  /** Collation of the query; unset: the collection's default. */
  readonly collation?: CollationOptions;
  /** Aborts the read between two documents with an `InterruptedError`. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Yields every document of `collection` as raw bytes. The cursor is closed when the caller stops early (break,
 * return, or an error thrown by the loop's body).
 */
export async function* rawDocuments(collection: Collection<Document>, options: RawDocumentsOptions = {}): AsyncGenerator<Buffer> {
  const cursor = collection.find(
    {},
    {
      raw: true,
      ...(options.sort === undefined ? {} : { sort: options.sort }),
      ...(options.collation === undefined ? {} : { collation: options.collation }),
    },
  );
  try {
    for await (const document of cursor) {
      if (options.signal?.aborted === true) throw new InterruptedError('Verification interrupted.');
      // With `raw: true` the driver yields each document as a Buffer; its declared type does not say so.
      yield document as unknown as Buffer;
    }
  } finally {
    await cursor.close();
  }
}
