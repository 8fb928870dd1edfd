import { Long, type Document } from 'bson';
import { CommandError } from '../errors.js';

/**
 * A server-side cursor: produces the next batch on demand. `nextBatch` returns the documents (raw or decoded) and
 * whether the cursor is exhausted. Tailable and change stream cursors may wait up to `maxAwaitTimeMs` for data.
 */
export interface ServerCursor {
  readonly ns: string;
  /** Connection-independent owner check: the user names that opened the cursor (empty without auth). */
  readonly owner?: string;
  /** Produces up to `batchSize` results (undefined = cursor default). */
  nextBatch(batchSize: number | undefined, maxAwaitTimeMs: number | undefined): Promise<CursorBatch>;
  /** Extra fields placed in the `cursor` sub-document of each reply (e.g. postBatchResumeToken). */
  replyExtras?(): Document;
  close?(): void;
}

export interface CursorBatch {
  documents: unknown[];
  exhausted: boolean;
}

/** Open cursors by id. Ids are random positive int64s, as mongod's. */
export class CursorRegistry {
  private readonly cursors = new Map<string, ServerCursor>();
  /** Who opened each cursor (auth/cursor_owner.ts); getMore and killCursors check it when auth is on. */
  private readonly owners = new Map<string, string>();

  register(cursor: ServerCursor, owner = ''): Long {
    let id: Long;
    do {
      // Bit 62 is always set, so an id never fits in 53 bits: a client decoding replies with promoted longs still
      // gets a Long to send back (mongod's random 64-bit ids are that large but for rare chance).
      id = Long.fromBits((Math.random() * 0x7fffffff) | 0, ((Math.random() * 0x7fffffff) | 0) | 0x40000000);
    } while (id.isZero() || this.cursors.has(id.toString()));
    this.cursors.set(id.toString(), cursor);
    this.owners.set(id.toString(), owner);
    return id;
  }

  /** The owner key given at registration; undefined when no such cursor is open. */
  ownerOf(id: Long): string | undefined {
    return this.owners.get(id.toString());
  }

  get(id: Long, ns: string): ServerCursor {
    const cursor = this.cursors.get(id.toString());
    if (!cursor) throw new CommandError('CursorNotFound', `cursor id ${id.toString()} not found`);
    if (cursor.ns !== ns) {
      throw new CommandError('Unauthorized', `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`);
    }
    return cursor;
  }

  has(id: Long): boolean {
    return this.cursors.has(id.toString());
  }

  kill(id: Long): boolean {
    const cursor = this.cursors.get(id.toString());
    if (!cursor) return false;
    cursor.close?.();
    this.cursors.delete(id.toString());
    this.owners.delete(id.toString());
    return true;
  }

  get size(): number {
    return this.cursors.size;
  }

  killAll(): void {
    for (const c of this.cursors.values()) c.close?.();
    this.cursors.clear();
    this.owners.clear();
  }
}
