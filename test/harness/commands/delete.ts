import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { assertValidCollectionName } from '../engine/namespace.js';
import { isNumeric, toNumber } from '../engine/bson_order.js';
import { documentsOf } from './insert.js';
import { writeErrorEntry } from './write_errors.js';
import { assertHint, assertKnownFields, assertNotView, filterArg, letArg, resolveCollation, selectDocuments, statementMatcher, writeOp } from './write_statements.js';

/** The fields of a delete statement (DeleteOpEntry in mongod's write_ops.idl). */
const DELETE_STATEMENT_FIELDS: ReadonlySet<string> = new Set(['q', 'limit', 'hint', 'collation', 'sampleId']);

/** delete: statements from the `deletes` sequence or array, each {q, limit: 0 | 1, hint, collation}; replies {n}. */
export const deleteCommand: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const collName = String(ctx.body.delete);
    assertValidCollectionName(ctx.db, collName);
    const statements = documentsOf(ctx, 'deletes').map((raw) => raw.toDocument());
    // Statement shapes are checked when the command is parsed (mongod's IDL): a bad one fails the whole command.
    for (const stmt of statements) {
      assertKnownFields(stmt, DELETE_STATEMENT_FIELDS, 'delete.deletes');
      filterArg(stmt.q, 'delete.deletes.q');
      if (stmt.limit === undefined) throw new CommandError('FailedToParse', "BSON field 'delete.deletes.limit' is missing but a required field", {}, 40414);
    }
    const ordered = ctx.body.ordered !== false;
    const variables = letArg(ctx);
    const collection = ctx.server.catalog.getCollection(ctx.db, collName);
    assertNotView(collection);
    let n = 0;
    const writeErrors: Document[] = [];
    for (let index = 0; index < statements.length; index++) {
      const stmt = statements[index];
      try {
        const q = filterArg(stmt.q, 'delete.deletes.q');
        const limit = isNumeric(stmt.limit) ? toNumber(stmt.limit) : NaN;
        if (limit !== 0 && limit !== 1) {
          throw new CommandError('FailedToParse', `The limit field in delete objects must be 0 or 1. Got ${String(stmt.limit)}`);
        }
        const options = { variables, collation: resolveCollation(stmt.collation, collection) };
        assertHint(collection, stmt.hint);
        const matcher = statementMatcher(q, options);
        if (!collection) continue;
        for (const doc of selectDocuments(collection, q, matcher, limit, undefined, options)) {
          ctx.writes.delete(collection, doc, writeOp(ctx));
          n++;
        }
      } catch (error) {
        if (!(error instanceof CommandError)) throw error;
        writeErrors.push(writeErrorEntry(index, error));
        if (ordered) break;
      }
    }
    return writeErrors.length ? { n, writeErrors } : { n };
  },
};
