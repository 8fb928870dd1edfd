import { Int32, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import type { IndexMaintainer } from '../engine/collection.js';
import { CommandError } from '../errors.js';
import { formatKeyValue } from '../engine/duplicate_key.js';
import { isView } from '../engine/ddl.js';
import { findIndexesByKey, indexCount } from '../engine/indexes/index_catalog.js';
import { compareValues } from '../engine/bson_order.js';

const ID_KEY = { _id: 1 };

/**
 * dropIndexes: by name, by key pattern, by an array of names, or "*" (all but `_id_`). Each dropped index is logged
 * as `{dropIndexes: coll, index: name}` with `o2` = its spec (mongod's onDropIndex). Replies `{nIndexesWas}`.
 */
export const dropIndexes: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const name = ctx.body.dropIndexes ?? ctx.body.deleteIndexes;
    if (typeof name !== 'string') throw new CommandError('InvalidNamespace', `collection name has invalid type ${typeof name}`);
    const collection = ctx.server.catalog.getCollection(ctx.db, name);
    if (!collection) throw new CommandError('NamespaceNotFound', `ns not found ${ctx.db}.${name}`);
    if (isView(collection)) throw new CommandError('CommandNotSupportedOnView', `Namespace ${collection.ns} is a view, not a collection`);
    const target = ctx.body.index;
    if (target === undefined) throw new CommandError('IDLFailedToParse', "BSON field 'dropIndexes.index' is missing but a required field");
    ctx.writes.assertWritable(ctx.db, ctx.op);
    const nIndexesWas = indexCount(collection);
    let victims: IndexMaintainer[];
    if (target === '*') {
      victims = [...collection.indexes.values()];
    } else if (typeof target === 'string' || Array.isArray(target)) {
      const names = typeof target === 'string' ? [target] : target;
      victims = names.map((n) => {
        if (typeof n !== 'string') throw new CommandError('TypeMismatch', "dropIndexes 'index' array elements must be strings");
        if (n === '_id_') throw new CommandError('InvalidOptions', 'cannot drop _id index');
        const found = collection.indexes.get(n);
        if (!found) throw new CommandError('IndexNotFound', `index not found with name [${n}]`);
        return found;
      });
    } else if (target !== null && typeof target === 'object') {
      if (compareValues(target, ID_KEY) === 0) throw new CommandError('InvalidOptions', 'cannot drop _id index');
      const found = findIndexesByKey(collection, target as Document);
      if (found.length === 0) throw new CommandError('IndexNotFound', `can't find index with key: ${formatKeyValue(target)}`);
      if (found.length > 1) {
        throw new CommandError('AmbiguousIndexKeyPattern', `${found.length} indexes found for key: ${formatKeyValue(target)}, identify by name instead. Conflicting indexes: ${found.map((f) => formatKeyValue(f.spec)).join(', ')}`);
      }
      victims = found;
    } else {
      throw new CommandError('TypeMismatch', "BSON field 'dropIndexes.index' is the wrong type, expected types '[string, object, array]'");
    }
    for (const victim of victims) {
      collection.indexes.delete(String(victim.spec.name));
      ctx.writes.command(ctx.db, { dropIndexes: name, index: victim.spec.name }, ctx.op, collection.uuid, victim.spec);
    }
    return { nIndexesWas: new Int32(nIndexesWas) };
  },
};
