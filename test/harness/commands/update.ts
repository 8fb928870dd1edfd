import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { assertValidCollectionName } from '../engine/namespace.js';
import { isDocument } from '../engine/query/paths.js';
import { documentsOf } from './insert.js';
import { writeErrorEntry } from './write_errors.js';
import {
  assertHint, assertKnownFields, assertNotView, compileStatementUpdate, resolveCollation, filterArg, letArg, replacementBytes, selectDocuments,
  statementMatcher, updateOne, upsertOne,
} from './write_statements.js';

/**
 * update: statements from the `updates` sequence or array, each {q, u, multi, upsert, arrayFilters, hint,
 * collation}; replies {n, nModified, upserted?, writeErrors?}. `n` counts matched (and upserted) documents,
 * `nModified` only those whose bytes changed.
 */
export const update: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const collName = String(ctx.body.update);
    assertValidCollectionName(ctx.db, collName);
    const statements = documentsOf(ctx, 'updates');
    // Statement shapes are checked when the command is parsed (mongod's IDL): a bad one fails the whole command.
    const decoded = statements.map((raw) => raw.toDocument());
    for (const stmt of decoded) {
      assertKnownFields(stmt, UPDATE_STATEMENT_FIELDS, 'update.updates');
      filterArg(stmt.q, 'update.updates.q');
      if (stmt.u === undefined) throw new CommandError('FailedToParse', "BSON field 'update.updates.u' is missing but a required field", {}, 40414);
    }
    const ordered = ctx.body.ordered !== false;
    const variables = letArg(ctx);
    assertNotView(ctx.server.catalog.getCollection(ctx.db, collName));
    let n = 0;
    let nModified = 0;
    const upserted: Document[] = [];
    const writeErrors: Document[] = [];
    for (let index = 0; index < statements.length; index++) {
      try {
        const result = runStatement(ctx, collName, decoded[index], statements[index].bytes, variables);
        n += result.n;
        nModified += result.nModified;
        if (result.upsertedId !== undefined) upserted.push({ index, _id: result.upsertedId });
      } catch (error) {
        if (!(error instanceof CommandError)) throw error;
        writeErrors.push(writeErrorEntry(index, error));
        if (ordered) break;
      }
    }
    const reply: Document = { n, nModified };
    if (upserted.length) reply.upserted = upserted;
    if (writeErrors.length) reply.writeErrors = writeErrors;
    return reply;
  },
};

/** The fields of an update statement (UpdateOpEntry in mongod's write_ops.idl). */
const UPDATE_STATEMENT_FIELDS: ReadonlySet<string> = new Set([
  'q', 'u', 'c', 'arrayFilters', 'hint', 'multi', 'upsert', 'upsertSupplied', 'collation', 'sampleId',
  '$_allowShardKeyUpdatesWithoutFullShardKeyInQuery',
]);

interface StatementResult {
  n: number;
  nModified: number;
  upsertedId?: unknown;
}

function runStatement(ctx: CommandContext, collName: string, stmt: Document, raw: Buffer, variables: Document | undefined): StatementResult {
  const q = filterArg(stmt.q, 'update.updates.q');
  const multi = stmt.multi === true;
  const upsert = stmt.upsert === true;
  const collection = ctx.server.catalog.getCollection(ctx.db, collName);
  const collation = resolveCollation(stmt.collation, collection);
  assertHint(collection, stmt.hint);
  // `c` holds constants for a pipeline update; they join the command's `let` variables.
  if (stmt.c !== undefined && !isDocument(stmt.c)) throw new CommandError('TypeMismatch', "BSON field 'update.updates.c' is the wrong type, expected type 'object'");
  if (stmt.c !== undefined) variables = { ...(variables ?? {}), ...(stmt.c as Document) };
  const options = { variables, collation };
  const u = compileStatementUpdate(stmt.u, stmt.arrayFilters, options, 'update.updates.u');
  if (multi && u.kind === 'replacement') {
    throw new CommandError('FailedToParse', 'multi update is not supported for replacement-style update');
  }
  if (stmt.c !== undefined && u.kind !== 'pipeline') {
    throw new CommandError('Location51198', 'Constant values may only be specified for pipeline updates', {}, 51198);
  }
  const matcher = statementMatcher(q, options);
  const targets = collection ? selectDocuments(collection, q, matcher, multi ? 0 : 1, undefined, options) : [];
  if (targets.length === 0) {
    if (!upsert) return { n: 0, nModified: 0 };
    const inserted = upsertOne(ctx, collName, q, u, replacementBytes(raw, 'u'));
    return { n: 1, nModified: 0, upsertedId: inserted.id };
  }
  const replacementRaw = u.kind === 'replacement' ? replacementBytes(raw, 'u') : undefined;
  let nModified = 0;
  for (const doc of targets) {
    if (updateOne(ctx, collection!, doc, u, matcher, replacementRaw).modified) nModified++;
  }
  return { n: targets.length, nModified };
}
