import { Int32, Long, serialize, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import type { Collection, IndexMaintainer } from '../engine/collection.js';
import { CommandError } from '../errors.js';
import { isNumeric, toNumber } from '../engine/bson_order.js';
import { formatKeyValue } from '../engine/duplicate_key.js';
import { isTimeseries, isView, SYSTEM_VIEWS } from '../engine/ddl.js';
import { adjustCappedSize, appendNumber, assertEnum, GENERIC_ARGUMENTS, orderOptions, parseChangeStreamImages } from '../engine/collection_options.js';
import { assertValidValidator } from '../engine/validation.js';
import { findIndexesByKey, replaceIndexSpec } from '../engine/indexes/index_catalog.js';
import { MAX_EXPIRE_AFTER_SECONDS } from '../engine/indexes/index_spec.js';
import { UniqueIndex } from '../engine/indexes/btree_index.js';
import { assertValidCollectionName } from '../engine/namespace.js';
import { typeName } from '../engine/query/bson_types.js';

const COLL_MOD_FIELDS: ReadonlySet<string> = new Set([
  'index', 'validator', 'validationLevel', 'validationAction', 'viewOn', 'pipeline', 'expireAfterSeconds',
  'changeStreamPreAndPostImages', 'cappedSize', 'cappedMax', 'dryRun', 'recordPreImages', 'timeseries',
  'collectionUUID',
]);

/** Top-level options that count as one modification each (coll_mod.cpp's numModifications; capped ones do not). */
const COUNTED_OPTIONS: readonly string[] = [
  'validator', 'validationLevel', 'validationAction', 'pipeline', 'viewOn', 'recordPreImages', 'changeStreamPreAndPostImages',
  'expireAfterSeconds', 'timeseries',
];

/** The fields of collMod's `index` (the CollModIndex IDL struct, strict). */
const INDEX_FIELDS: ReadonlySet<string> = new Set(['name', 'keyPattern', 'expireAfterSeconds', 'hidden', 'unique', 'prepareUnique', 'forceNonUnique']);

/** An IDL `safeBool` field of collMod's `index`: a bool or a number (its truth), else TypeMismatch. */
function safeBool(request: Document, field: string): boolean | undefined {
  const value = request[field];
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (isNumeric(value)) return toNumber(value) !== 0;
  throw new CommandError('TypeMismatch', `BSON field 'collMod.index.${field}' is the wrong type '${typeName(value)}', expected types '[bool, long, int, decimal, double]'`);
}

/** The `_id` index pseudo-entry: it has no maintainer, but collMod may name it (to be refused). */
const ID_INDEX = Symbol('idIndex');

function findIndex(collection: Collection, request: Document): IndexMaintainer | typeof ID_INDEX {
  const ns = collection.ns;
  if (request.name !== undefined && request.keyPattern !== undefined) {
    throw new CommandError('InvalidOptions', 'Cannot specify both key pattern and name.');
  }
  if (request.name === undefined && request.keyPattern === undefined) {
    throw new CommandError('InvalidOptions', 'Must specify either index name or key pattern.');
  }
  if (request.name !== undefined) {
    if (request.name === '_id_') return ID_INDEX;
    const found = collection.indexes.get(String(request.name));
    if (!found) throw new CommandError('IndexNotFound', `cannot find index ${String(request.name)} for ns ${ns}`);
    return found;
  }
  const key = request.keyPattern as Document;
  const keys = Object.keys(key ?? {});
  if (keys.length === 1 && keys[0] === '_id') return ID_INDEX;
  const found = findIndexesByKey(collection, key);
  if (found.length > 1) {
    throw new CommandError('AmbiguousIndexKeyPattern', `index keyPattern ${formatKeyValue(key)} matches ${found.length} indexes, must use index name. Conflicting indexes:${formatKeyValue(found[0].spec)}, ${formatKeyValue(found[1].spec)}`);
  }
  if (found.length === 0) throw new CommandError('IndexNotFound', `cannot find index ${formatKeyValue(key)} for ns ${ns}`);
  return found[0];
}

/** What an index modification changes, for the reply, the oplog `o.index` and `o2.indexOptions_old`. */
interface IndexChange {
  reply: Document;
  oplogIndex: Document | undefined;
  oldOptions: Document;
  apply: (() => void) | undefined;
  /** Options that count as modifications (coll_mod.cpp's numModifications), no-ops included. */
  modifications: number;
  /** prepareUnique really changes (it may not be combined with any other modification). */
  changesPrepareUnique: boolean;
}

/**
 * Sets (or, with undefined, removes) one field of an index spec the way mongod's catalog does
 * (BSONCollectionCatalogEntry::IndexMetaData::update*Setting): the field is taken out and appended at the end, so
 * listIndexes shows the options collMod touched last, in the order it touched them.
 */
function withSpecField(spec: Document, field: string, value: unknown): Document {
  const out: Document = {};
  for (const [k, v] of Object.entries(spec)) if (k !== field) out[k] = v;
  if (value !== undefined) out[field] = value;
  return out;
}

/**
 * The `index` part of collMod (coll_mod.cpp parseCollModRequest / coll_mod_index.cpp, mongod 6.0 to 8.0):
 * expireAfterSeconds, hidden, prepareUnique, unique (only true, only after prepareUnique; CannotConvertIndexToUnique
 * lists the duplicates) and forceNonUnique (the way back to a non-unique index; `unique: false` is refused).
 * Hiding a hidden index, preparing a prepared one or making a unique index unique is a no-op that leaves the
 * option out of the reply and the oplog entry. Converting to unique also drops prepareUnique from the spec.
 */
function planIndexChange(collection: Collection, request: Document): IndexChange {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new CommandError('TypeMismatch', "BSON field 'collMod.index' is the wrong type, expected type 'object'");
  }
  for (const field of Object.keys(request)) {
    if (!INDEX_FIELDS.has(field)) throw new CommandError('Location40415', `BSON field 'collMod.index.${field}' is an unknown field.`, {}, 40415);
  }
  const { expireAfterSeconds } = request;
  const hidden = safeBool(request, 'hidden');
  const prepareUnique = safeBool(request, 'prepareUnique');
  const unique = safeBool(request, 'unique');
  const forceNonUnique = safeBool(request, 'forceNonUnique');
  if (request.name !== undefined && request.keyPattern !== undefined) {
    throw new CommandError('InvalidOptions', 'Cannot specify both key pattern and name.');
  }
  if (request.name === undefined && request.keyPattern === undefined) {
    throw new CommandError('InvalidOptions', 'Must specify either index name or key pattern.');
  }
  if ([hidden, expireAfterSeconds, prepareUnique, unique, forceNonUnique].every((v) => v === undefined)) {
    throw new CommandError('InvalidOptions', 'no expireAfterSeconds, hidden, unique, or prepareUnique field');
  }
  if (unique !== undefined && forceNonUnique !== undefined) {
    throw new CommandError('InvalidOptions', "collMod does not support 'unique' and 'forceNonUnique' options at the same time");
  }
  if (expireAfterSeconds !== undefined) {
    if (isTimeseries(collection)) {
      throw new CommandError('InvalidOptions', "TTL indexes are not supported for time-series collections. Please refer to the documentation and use the top-level 'expireAfterSeconds' option instead");
    }
    if (collection.isCapped) throw new CommandError('InvalidOptions', 'TTL indexes are not supported for capped collections.');
    if (!isNumeric(expireAfterSeconds) || toNumber(expireAfterSeconds) < 0 || toNumber(expireAfterSeconds) > MAX_EXPIRE_AFTER_SECONDS) {
      throw new CommandError('InvalidOptions', 'TTL index \'expireAfterSeconds\' option must be within an acceptable range, try a lower number');
    }
  }
  const modifications = [expireAfterSeconds, unique, hidden, prepareUnique, forceNonUnique].filter((v) => v !== undefined).length;
  const target = findIndex(collection, request);
  if (target === ID_INDEX) {
    if (expireAfterSeconds !== undefined) throw new CommandError('InvalidOptions', 'the _id field does not support TTL indexes');
    if (unique === false) throw new CommandError('BadValue', 'Cannot make index non-unique');
    if (hidden !== undefined) throw new CommandError('BadValue', "can't hide _id index");
    if (forceNonUnique === false) throw new CommandError('BadValue', "'forceNonUnique: false' is not supported");
    // The _id index is unique: unique and prepareUnique are no-ops on it.
    return { reply: {}, oplogIndex: undefined, oldOptions: {}, apply: undefined, modifications, changesPrepareUnique: false };
  }
  const index = target as IndexMaintainer;
  const spec = index.spec;
  let next: Document = spec;
  const reply: Document = {};
  const oplogIndex: Document = { name: spec.name };
  const oldOptions: Document = {};
  let changed = false;
  let changesPrepareUnique = false;
  if (expireAfterSeconds !== undefined) {
    const seconds = Long.fromNumber(Math.trunc(toNumber(expireAfterSeconds)));
    const old = spec.expireAfterSeconds;
    if (old === undefined) {
      if (Object.keys(spec.key as Document).length !== 1) {
        throw new CommandError('InvalidOptions', 'TTL indexes are single-field indexes, compound indexes do not support TTL');
      }
    } else {
      if (!isNumeric(old)) throw new CommandError('InvalidOptions', 'existing expireAfterSeconds field is not a number');
      reply.expireAfterSeconds_old = Long.fromNumber(Math.trunc(toNumber(old)));
      oldOptions.expireAfterSeconds = reply.expireAfterSeconds_old;
    }
    reply.expireAfterSeconds_new = seconds;
    oplogIndex.expireAfterSeconds = seconds;
    // The catalog keeps an integral value of the same number as it is (int or long); any other is rewritten as a long.
    const sameIntegral = (old instanceof Int32 || old instanceof Long || (typeof old === 'number' && Number.isInteger(old))) && toNumber(old) === seconds.toNumber();
    if (!sameIntegral) next = withSpecField(next, 'expireAfterSeconds', seconds);
    changed = true;
  }
  if (unique !== undefined) {
    if (!unique) throw new CommandError('BadValue', 'Cannot make index non-unique');
    if (spec.unique !== true) {
      if (spec.prepareUnique !== true) {
        throw new CommandError('InvalidOptions', "Cannot make index unique with 'prepareUnique=false'. Run collMod to set it first.");
      }
      reply.unique_new = true;
      oplogIndex.unique = true;
      next = withSpecField(withSpecField(next, 'unique', true), 'prepareUnique', undefined);
      changed = true;
    }
  }
  if (hidden !== undefined) {
    if (collection.name.startsWith('system.')) throw new CommandError('BadValue', "Can't hide index on system collection");
    const was = spec.hidden === true;
    if (was !== hidden) {
      reply.hidden_old = was;
      reply.hidden_new = hidden;
      oplogIndex.hidden = hidden;
      oldOptions.hidden = was;
      next = withSpecField(next, 'hidden', hidden ? true : undefined);
      changed = true;
    }
  }
  if (prepareUnique !== undefined) {
    const was = spec.prepareUnique === true;
    if (was !== prepareUnique && spec.unique !== true) {
      reply.prepareUnique_old = was;
      reply.prepareUnique_new = prepareUnique;
      oplogIndex.prepareUnique = prepareUnique;
      oldOptions.prepareUnique = was;
      next = withSpecField(next, 'prepareUnique', prepareUnique ? true : undefined);
      changed = true;
      changesPrepareUnique = true;
    }
  }
  if (forceNonUnique !== undefined) {
    if (!forceNonUnique) throw new CommandError('BadValue', "'forceNonUnique: false' is not supported");
    if (spec.unique === true) {
      reply.forceNonUnique_new = true;
      oplogIndex.forceNonUnique = true;
      next = withSpecField(next, 'unique', undefined);
      changed = true;
    }
  }
  return {
    reply,
    oplogIndex: changed ? oplogIndex : undefined,
    oldOptions,
    apply: next !== spec ? () => replaceIndexSpec(collection, String(spec.name), next) : undefined,
    modifications,
    changesPrepareUnique,
  };
}

/** The documents a unique conversion of the index would violate, as CannotConvertIndexToUnique reports them. */
function assertConvertibleToUnique(collection: Collection, request: Document): void {
  const target = findIndex(collection, request);
  if (target === ID_INDEX || !(target instanceof UniqueIndex)) return;
  const violations = target.duplicates();
  if (violations.length === 0) return;
  const ids = violations.map(({ recordIds }) => ({ ids: [...recordIds].sort((a, b) => a - b).map((r) => collection.records.get(r)?.id) }));
  throw new CommandError('CannotConvertIndexToUnique', 'Cannot convert the index to unique. Please resolve conflicting documents before running collMod again.', { violations: ids });
}

/**
 * collMod: validator/validationLevel/validationAction, cappedSize/cappedMax, expireAfterSeconds (clustered and
 * time series collections), changeStreamPreAndPostImages, a view's viewOn/pipeline, and `index` changes (see
 * planIndexChange); `dryRun` only checks a unique conversion. Logged as mongod 7.0 logs it: `o` rebuilt in
 * parse order with the index named (not keyed), `o2: {collectionOptions_old: {uuid, ...}, indexOptions_old}`. A
 * view's change is logged as the update of its system.views definition.
 */
export const collMod: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const name = ctx.body.collMod;
    if (typeof name !== 'string') throw new CommandError('InvalidNamespace', `collection name has invalid type ${typeof name}`);
    assertValidCollectionName(ctx.db, name);
    for (const field of Object.keys(ctx.body).slice(1)) {
      if (!COLL_MOD_FIELDS.has(field) && !GENERIC_ARGUMENTS.has(field)) {
        throw new CommandError('Location40415', `BSON field 'collMod.${field}' is an unknown field.`, {}, 40415);
      }
    }
    const collection = ctx.server.catalog.getCollection(ctx.db, name);
    if (!collection) throw new CommandError('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
    const body = ctx.body;
    if (isView(collection)) {
      ctx.writes.assertWritable(ctx.db, ctx.op);
      return modifyView(ctx, collection);
    }
    for (const field of ['viewOn', 'pipeline']) {
      if (body[field] !== undefined) throw new CommandError('InvalidOptions', `option only supported on a view: ${field}`);
    }
    const dryRun = body.dryRun !== undefined && body.dryRun !== false && !(isNumeric(body.dryRun) && toNumber(body.dryRun) === 0);
    if (dryRun) {
      // _processCollModDryRunMode: only a unique conversion may be tried, and alone.
      if (body.index === undefined) throw new CommandError('InvalidOptions', 'dry run mode requires an valid index modification.');
      const index = body.index as Document;
      if (index === null || typeof index !== 'object' || !(index.unique === true || (isNumeric(index.unique) && toNumber(index.unique) !== 0))) {
        throw new CommandError('InvalidOptions', 'dry run mode requires an index modification with unique: true.');
      }
    }
    const options: Document = { ...collection.options };
    const o: Document = { collMod: name };
    if (body.cappedSize !== undefined || body.cappedMax !== undefined) {
      if (!collection.isCapped) throw new CommandError('InvalidOptions', 'Collection must be capped.');
      if (ctx.db === 'local' && name === 'oplog.rs') {
        throw new CommandError('InvalidOptions', "Cannot resize the oplog using this command. Use the 'replSetResizeOplog' command instead.");
      }
      if (body.cappedSize !== undefined) {
        if (!isNumeric(body.cappedSize) || toNumber(body.cappedSize) < 0) throw new CommandError('BadValue', 'size has to be >= 0');
        options.size = appendNumber(adjustCappedSize(toNumber(body.cappedSize)));
        o.cappedSize = body.cappedSize;
      }
      if (body.cappedMax !== undefined) {
        if (!isNumeric(body.cappedMax) || toNumber(body.cappedMax) >= 2 ** 31) {
          throw new CommandError('BadValue', 'max in a capped collection has to be < 2^31 or not set');
        }
        // collection_options.cpp adjustCappedMaxDocs: a max of 0 or less means "no maximum", stored as 2^31 - 1.
        const max = toNumber(body.cappedMax);
        options.max = appendNumber(max > 0 ? max : 0x7fffffff);
        o.cappedMax = body.cappedMax;
      }
    }
    let indexChange: IndexChange | undefined;
    if (body.index !== undefined) {
      indexChange = planIndexChange(collection, body.index as Document);
      if (indexChange.oplogIndex) o.index = indexChange.oplogIndex;
    }
    if (body.validator !== undefined) {
      if (isTimeseries(collection)) throw new CommandError('InvalidOptions', 'option not supported on a time-series collection: validator');
      assertValidValidator(body.validator);
      if (Object.keys(body.validator as Document).length > 0) options.validator = body.validator;
      else delete options.validator;
      o.validator = body.validator;
    }
    if (body.validationLevel !== undefined) o.validationLevel = options.validationLevel = assertEnum('validationLevel', body.validationLevel);
    if (body.validationAction !== undefined) o.validationAction = options.validationAction = assertEnum('validationAction', body.validationAction);
    if (body.changeStreamPreAndPostImages !== undefined) {
      const enabled = parseChangeStreamImages(body.changeStreamPreAndPostImages, 'collMod');
      if (enabled) options.changeStreamPreAndPostImages = { enabled: true };
      else delete options.changeStreamPreAndPostImages;
      o.changeStreamPreAndPostImages = { enabled };
    }
    if (body.expireAfterSeconds !== undefined) {
      if (!collection.options.clusteredIndex && !isTimeseries(collection)) {
        throw new CommandError('InvalidOptions', "'expireAfterSeconds' option is only supported on collections clustered by _id");
      }
      const value = body.expireAfterSeconds;
      if (value === 'off') delete options.expireAfterSeconds;
      else if (isNumeric(value) && toNumber(value) >= 0) options.expireAfterSeconds = Long.fromNumber(Math.trunc(toNumber(value)));
      else throw new CommandError('InvalidOptions', "'expireAfterSeconds' must be a number or the string 'off'");
      o.expireAfterSeconds = value;
    }
    const modifications = (indexChange?.modifications ?? 0) + COUNTED_OPTIONS.filter((f) => body[f] !== undefined).length;
    if (dryRun) {
      if (modifications > 1) throw new CommandError('InvalidOptions', 'unique: true cannot be combined with any other modification in dry run mode.');
      assertConvertibleToUnique(collection, body.index as Document);
      return {};
    }
    if (indexChange?.changesPrepareUnique && modifications > 1) {
      throw new CommandError('InvalidOptions', 'prepareUnique cannot be combined with any other modification.');
    }
    // mongod scans for duplicates whenever unique: true is asked, then (its op observer) checks write blocking.
    if (body.index !== undefined && (body.index as Document).unique !== undefined) assertConvertibleToUnique(collection, body.index as Document);
    ctx.writes.assertWritable(ctx.db, ctx.op);
    const o2: Document = { collectionOptions_old: { uuid: collection.uuid, ...collection.options } };
    if (indexChange?.oplogIndex) o2.indexOptions_old = indexChange.oldOptions;
    indexChange?.apply?.();
    collection.options = orderOptions(options);
    ctx.writes.command(ctx.db, o, ctx.op, collection.uuid, o2);
    return indexChange?.reply ?? {};
  },
};

/** collMod of a view: a new viewOn and/or pipeline, written to its system.views definition. */
function modifyView(ctx: CommandContext, view: Collection): Document {
  const body = ctx.body;
  for (const field of ['index', 'validator', 'validationLevel', 'validationAction', 'changeStreamPreAndPostImages', 'expireAfterSeconds', 'cappedSize', 'cappedMax']) {
    if (body[field] !== undefined) throw new CommandError('InvalidOptions', `option not supported on a view: ${field}`);
  }
  if (body.viewOn === undefined && body.pipeline === undefined) return {};
  if (body.viewOn !== undefined && typeof body.viewOn !== 'string') throw new CommandError('TypeMismatch', "BSON field 'collMod.viewOn' is the wrong type, expected type 'string'");
  if (body.pipeline !== undefined && !Array.isArray(body.pipeline)) throw new CommandError('TypeMismatch', "BSON field 'collMod.pipeline' is the wrong type, expected type 'array'");
  const viewOn = body.viewOn ?? view.options.viewOn;
  assertValidCollectionName(ctx.db, String(viewOn));
  const pipeline = body.pipeline ?? view.options.pipeline;
  view.options = orderOptions({ ...view.options, viewOn, pipeline });
  const views = ctx.server.catalog.getCollection(ctx.db, SYSTEM_VIEWS);
  const definition = views?.findById(`${ctx.db}.${view.name}`);
  if (views && definition) {
    const next: Document = { _id: `${ctx.db}.${view.name}`, viewOn, pipeline };
    if (view.options.collation) next.collation = view.options.collation;
    ctx.writes.update(views, definition, Buffer.from(serialize(next)), { ...ctx.op, bypassDocumentValidation: true }, 'replacement');
  }
  return {};
}
