import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import type { StoredDocument } from '../engine/stored_document.js';
import { CommandError } from '../errors.js';
import { assertValidCollectionName } from '../engine/namespace.js';
import { compileProjection } from '../engine/query/projection.js';
import { isDocument } from '../engine/query/paths.js';
import type { RawBson } from '../bson/raw_bson.js';
import {
  assertHint, assertNotView, compileStatementUpdate, resolveCollation, letArg, replacementBytes, selectDocuments, statementMatcher,
  updateOne, upsertOne, writeOp,
} from './write_statements.js';

/**
 * findAndModify: updates (or removes) the first document matching `query` in `sort` order and returns it, before or
 * after the change (`new`), projected by `fields`. Replies {lastErrorObject: {n, updatedExisting, upserted?}, value}.
 */
export const findAndModify: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const body = ctx.body;
    const collName = String(body[ctx.commandName]);
    assertValidCollectionName(ctx.db, collName);
    const query = optionalObject(body.query, 'query') ?? {};
    const sort = optionalObject(body.sort, 'sort');
    const fields = optionalObject(body.fields, 'fields');
    const remove = body.remove === true;
    const returnNew = body.new === true;
    const upsert = body.upsert === true;
    const variables = letArg(ctx);
    if (remove && body.update !== undefined) throw new CommandError('FailedToParse', 'Cannot specify both an update and remove=true');
    if (!remove && body.update === undefined) throw new CommandError('FailedToParse', 'Either an update or remove=true must be specified');
    if (remove && upsert) throw new CommandError('FailedToParse', 'Cannot specify both upsert=true and remove=true ');
    if (remove && returnNew) {
      throw new CommandError('FailedToParse', "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document");
    }
    if (remove && body.arrayFilters !== undefined) throw new CommandError('FailedToParse', 'Cannot specify arrayFilters and remove=true');
    const projector = fields && Object.keys(fields).length ? compileProjection(fields, { filter: query, variables }) : undefined;
    const output = (doc: StoredDocument): RawBson | Document => (projector ? projector(doc.doc) : doc.toRaw());
    const collection = ctx.server.catalog.getCollection(ctx.db, collName);
    const options = { variables, collation: resolveCollation(body.collation, collection) };
    const matcher = statementMatcher(query, options);
    const update = remove ? undefined : compileStatementUpdate(body.update, body.arrayFilters, options, 'findAndModify.update');
    assertNotView(collection);
    assertHint(collection, body.hint);
    const [target] = collection ? selectDocuments(collection, query, matcher, 1, sort, options) : [];
    if (remove) {
      if (!target) return { lastErrorObject: { n: 0 }, value: null };
      ctx.writes.delete(collection!, target, writeOp(ctx));
      return { lastErrorObject: { n: 1 }, value: output(target) };
    }
    if (!target) {
      if (!upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null };
      const inserted = upsertOne(ctx, collName, query, update!, replacementBytes(ctx.rawBody, 'update'));
      return {
        lastErrorObject: { n: 1, updatedExisting: false, upserted: inserted.id },
        value: returnNew ? output(inserted) : null,
      };
    }
    const { after } = updateOne(ctx, collection!, target, update!, matcher, replacementBytes(ctx.rawBody, 'update'));
    return { lastErrorObject: { n: 1, updatedExisting: true }, value: output(returnNew ? after : target) };
  },
};

function optionalObject(value: unknown, name: string): Document | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isDocument(value)) throw new CommandError('TypeMismatch', `BSON field 'findAndModify.${name}' is the wrong type, expected type 'object'`);
  return value;
}
