import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { rawArrayDocuments, type RawBson } from '../bson/raw_bson.js';
import { assertValidCollectionName } from '../engine/namespace.js';
import { writeErrorEntry } from './write_errors.js';
import { writeOp } from './write_statements.js';

/** insert: documents from the `documents` sequence or array, kept byte for byte; ordered stops at the first error. */
export const insert: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const collName = String(ctx.body.insert);
    assertValidCollectionName(ctx.db, collName);
    const documents = documentsOf(ctx, 'documents');
    const ordered = ctx.body.ordered !== false;
    const writeErrors: Document[] = [];
    let n = 0;
    const op = writeOp(ctx);
    let collection;
    try {
      collection = ctx.writes.ensureCollection(ctx.db, collName, op);
    } catch (error) {
      // mongod creates the collection inside the per-document error handling (write_ops_exec.cpp), so a failed
      // implicit create (UserWritesBlocked) is a write error: the first document's when ordered, each one's if not.
      if (!(error instanceof CommandError) || documents.length === 0) throw error;
      const failed = ordered ? 1 : documents.length;
      return { n: 0, writeErrors: Array.from({ length: failed }, (_, i) => writeErrorEntry(i, error)) };
    }
    if (collection.options.viewOn !== undefined) {
      throw new CommandError('CommandNotSupportedOnView', `Namespace ${collection.ns} is a view, not a collection`);
    }
    for (let i = 0; i < documents.length; i++) {
      try {
        ctx.writes.insert(collection, documents[i].bytes, op);
        n++;
      } catch (error) {
        if (!(error instanceof CommandError)) throw error;
        writeErrors.push(writeErrorEntry(i, error));
        if (ordered) break;
      }
    }
    return writeErrors.length ? { n, writeErrors } : { n };
  },
};

/** The raw documents of a write command, from its kind-1 sequence or its body array. */
export function documentsOf(ctx: CommandContext, field: string): RawBson[] {
  const docs = ctx.sequences.get(field) ?? rawArrayDocuments(ctx.rawBody, field);
  if (!docs) throw new CommandError('FailedToParse', `BSON field '${ctx.commandName}.${field}' is missing but a required field`, {}, 40414);
  return docs;
}
