import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { assertValidCollectionName } from '../engine/namespace.js';
import { compareValues } from '../engine/bson_order.js';
import { parseCreateOptions } from '../engine/collection_options.js';
import { createCollection } from '../engine/ddl.js';
import { formatOptions } from './catalog_format.js';

/**
 * create: a collection (capped, clustered, time series, validator, collation, ...) or a view. Creating a namespace
 * that exists with the same options is a no-op `{ok: 1}` (mongod 7.0's checkCollectionOptions); with other options
 * it fails with NamespaceExists (48) quoting the existing options.
 */
export const create: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const name = ctx.body.create;
    if (typeof name !== 'string') {
      throw new CommandError('InvalidNamespace', `collection name has invalid type ${typeof name}`);
    }
    assertValidCollectionName(ctx.db, name);
    const request = parseCreateOptions(ctx.body);
    const existing = ctx.server.catalog.getCollection(ctx.db, name);
    if (existing) {
      if (compareValues(existing.options, request.options) === 0) return {};
      throw new CommandError('NamespaceExists', `namespace ${existing.ns} already exists, but with different options: ${formatOptions(existing)}`);
    }
    createCollection({ state: ctx.server, writes: ctx.writes, op: ctx.op }, ctx.db, name, request);
    return {};
  },
};
