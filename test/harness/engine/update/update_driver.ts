import { ObjectId, Timestamp, type Document } from 'bson';
import { CommandError } from '../../errors.js';
import { valuesEqual } from '../bson_order.js';
import { compileMatcher, type Matcher } from '../query/filter.js';
import { isArrayIndex, isDocument, splitPath } from '../query/paths.js';
import { applyUpdatePipeline, compileUpdatePipeline } from '../aggregation/update_pipeline.js';
import { formatElement, formatValue, updateTypeName } from './format_value.js';
import { makeModifier, NOOP, RENAME_SOURCE, UNSET, type Modifier, type ModifierContext } from './modifiers.js';

/**
 * The update language of mongod 7.0 (src/mongo/db/update: UpdateDriver, UpdateObjectNode, UpdateArrayNode and the
 * modifier nodes), applied to decoded documents.
 *
 * Field order follows mongod: an existing field keeps its place, new fields are appended, and the paths of one
 * update are applied level by level in the order of their names (lexicographic, numerically for array indexes:
 * pathsupport::cmpPathsAndArrayIndexes), whatever order the operators were written in.
 */

/** How the update was given: operators ($set...), a replacement document or an aggregation pipeline. */
export type UpdateKind = 'operators' | 'replacement' | 'pipeline';

/** Options of an update besides its specification. */
export interface UpdateOptions {
  /** `arrayFilters` of the command: one filter document per `$[<identifier>]`. */
  arrayFilters?: Document[];
  /** `let` variables for pipeline updates. */
  variables?: Document;
  /** The operation's collation (array filters and the comparisons of $min/$max, $addToSet, $pull...). */
  collation?: Document;
}

/** Per-document inputs of an update. */
export interface ApplyOptions {
  /** The array offset the query matched (for the positional `$`); see MatchDetails.elemMatchKey. */
  matchedField?: string;
  /** True when building an upsert's new document ($setOnInsert applies). */
  isInsert?: boolean;
  now?: () => Date;
  timestamp?: () => Timestamp;
}

/** A parsed update, applied to many documents. */
export interface CompiledUpdate {
  readonly kind: UpdateKind;
  /** True when some path uses the positional `$` (the query must then provide a matched array offset). */
  readonly positional: boolean;
  /** Returns the updated copy of `doc` (the input is not modified). */
  apply(doc: Document, options?: ApplyOptions): Document;
}

interface LeafNode {
  kind: 'leaf';
  modifier: Modifier;
}
interface ObjectNode {
  kind: 'object';
  children: Map<string, UpdateNode>;
  positional?: UpdateNode;
  sorted?: [string, UpdateNode][];
}
/** `$[]` (identifier '') and `$[<identifier>]` children of an array. */
interface ArrayNode {
  kind: 'array';
  children: Map<string, UpdateNode>;
}
type UpdateNode = LeafNode | ObjectNode | ArrayNode;

const IDENTIFIER = /^[a-z][a-zA-Z0-9]*$/;

/** Parses an update specification (the `u` of an update statement) into something applicable. */
export function compileUpdate(spec: Document | Document[], options: UpdateOptions = {}): CompiledUpdate {
  if (Array.isArray(spec)) return compilePipeline(spec, options);
  const keys = Object.keys(spec);
  if (keys.length === 0 || !keys[0].startsWith('$')) {
    if (options.arrayFilters && options.arrayFilters.length) {
      throw new CommandError('FailedToParse', 'arrayFilters may not be specified for pipeline-style updates');
    }
    return compileReplacement(spec);
  }
  return compileOperators(spec, options);
}

function compilePipeline(pipeline: Document[], options: UpdateOptions): CompiledUpdate {
  if (options.arrayFilters && options.arrayFilters.length) {
    throw new CommandError('FailedToParse', 'arrayFilters may not be specified for pipeline-style updates');
  }
  // Compiled once up front so that an invalid pipeline fails before any document is touched.
  compileUpdatePipeline(pipeline, Object.keys(options.variables ?? {}));
  return {
    kind: 'pipeline',
    positional: false,
    apply: (doc) => keepId(doc, applyUpdatePipeline(doc, pipeline, options.variables)),
  };
}

/** A replacement keeps the original `_id` (first, when the replacement has none) and may not change it. */
function compileReplacement(replacement: Document): CompiledUpdate {
  for (const key of Object.keys(replacement)) {
    if (key.startsWith('$')) {
      throw new CommandError(
        'DollarPrefixedFieldName',
        `The dollar ($) prefixed field '${key}' in '${key}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
        {}, 52,
      );
    }
  }
  return { kind: 'replacement', positional: false, apply: (doc) => keepId(doc, replacement) };
}

function keepId(original: Document, replacement: Document): Document {
  if (!Object.prototype.hasOwnProperty.call(original, '_id')) return { ...replacement };
  if (!Object.prototype.hasOwnProperty.call(replacement, '_id')) return { _id: original._id, ...replacement };
  if (!valuesEqual(original._id, replacement._id) || updateTypeName(original._id) !== updateTypeName(replacement._id)) {
    throw new CommandError('ImmutableField', `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${formatValue(replacement._id)}`);
  }
  return { ...replacement };
}

function compileOperators(spec: Document, options: UpdateOptions): CompiledUpdate {
  const root: ObjectNode = { kind: 'object', children: new Map() };
  const filters = parseArrayFilters(options.arrayFilters ?? [], options.collation);
  const usedIdentifiers = new Set<string>();
  let positional = false;
  for (const op of Object.keys(spec)) {
    const operand = spec[op];
    if (!op.startsWith('$')) {
      throw new CommandError('FailedToParse', `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    if (!KNOWN_OPERATORS.has(op)) {
      throw new CommandError('FailedToParse', `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    if (!isDocument(operand)) {
      throw new CommandError(
        'FailedToParse',
        `Modifiers operate on fields but we found type ${updateTypeName(operand)} instead. For example: {$mod: {<field>: ...}} not {${formatElement(op, operand)}}`,
      );
    }
    for (const path of Object.keys(operand)) {
      const arg = operand[path];
      if (op === '$rename') {
        const to = parseRename(path, arg);
        positional = addPath(root, path, { kind: 'leaf', modifier: RENAME_SOURCE }, filters, usedIdentifiers) || positional;
        addPath(root, to, { kind: 'leaf', modifier: makeModifier(op, to, arg, { rename: splitPath(path), collation: options.collation }) }, filters, usedIdentifiers);
        continue;
      }
      const leaf: LeafNode = { kind: 'leaf', modifier: makeModifier(op, path, arg, { collation: options.collation }) };
      positional = addPath(root, path, leaf, filters, usedIdentifiers) || positional;
    }
  }
  for (const id of filters.keys()) {
    if (!usedIdentifiers.has(id)) {
      throw new CommandError('FailedToParse', `The array filter for identifier '${id}' was not used in the update ${formatValue(spec)}`);
    }
  }
  sortTree(root);
  return {
    kind: 'operators',
    positional,
    apply(doc, applyOptions = {}) {
      const copy = deepCopy(doc) as Document;
      const ctx: ApplyContext = {
        root: copy,
        isInsert: applyOptions.isInsert === true,
        now: applyOptions.now ?? (() => new Date()),
        timestamp: applyOptions.timestamp ?? (() => new Timestamp({ t: Math.floor(Date.now() / 1000), i: 1 })),
        matchedField: applyOptions.matchedField,
        filters,
      };
      applyObject(copy, root, ctx, []);
      if (Object.prototype.hasOwnProperty.call(doc, '_id') && !ctx.isInsert) {
        const after = copy._id;
        if (after === undefined || !valuesEqual(after, doc._id) || updateTypeName(after) !== updateTypeName(doc._id)) {
          throw new CommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
        }
      }
      return copy;
    },
  };
}

const KNOWN_OPERATORS = new Set([
  '$set', '$setOnInsert', '$unset', '$inc', '$mul', '$min', '$max', '$rename', '$currentDate', '$push', '$addToSet',
  '$pop', '$pull', '$pullAll', '$bit',
]);

function parseRename(from: string, to: unknown): string {
  if (typeof to !== 'string') throw new CommandError('BadValue', `The 'to' field for $rename must be a string: ${formatElement(from, to)}`);
  if (from === to) throw new CommandError('BadValue', `The source and target field for $rename must differ: ${formatElement(from, to)}`);
  if (to.startsWith(`${from}.`) || from.startsWith(`${to}.`)) {
    throw new CommandError('BadValue', `The source and target field for $rename must not be on the same path: ${formatElement(from, to)}`);
  }
  if (splitPath(from).some((p) => p.startsWith('$'))) throw new CommandError('BadValue', `The source field for $rename may not be dynamic: ${from}`);
  if (splitPath(to).some((p) => p.startsWith('$'))) throw new CommandError('BadValue', `The destination field for $rename may not be dynamic: ${to}`);
  return to;
}

function parseArrayFilters(list: Document[], collation: Document | undefined): Map<string, Matcher> {
  const filters = new Map<string, Matcher>();
  for (const filter of list) {
    if (!isDocument(filter)) throw new CommandError('TypeMismatch', 'arrayFilters entries must be objects');
    let identifier: string | undefined;
    // The placeholder is the first component of every path, also inside $and/$or/$nor (ExpressionWithPlaceholder).
    const visit = (f: Document): void => {
      for (const key of Object.keys(f)) {
        if (key === '$and' || key === '$or' || key === '$nor') {
          if (Array.isArray(f[key])) for (const sub of f[key] as unknown[]) if (isDocument(sub)) visit(sub);
          continue;
        }
        if (key.startsWith('$')) continue;
        const id = key.split('.')[0];
        if (identifier !== undefined && identifier !== id) {
          throw new CommandError('FailedToParse', `Error parsing array filter :: caused by :: Expected a single top-level field name, found '${identifier}' and '${id}'`);
        }
        identifier = id;
      }
    };
    visit(filter);
    if (identifier === undefined) {
      throw new CommandError('FailedToParse', 'Error parsing array filter :: caused by :: Cannot use an expression without a top-level field name in arrayFilters');
    }
    if (!IDENTIFIER.test(identifier)) {
      throw new CommandError('BadValue', `Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${identifier}'`);
    }
    if (filters.has(identifier)) {
      throw new CommandError('FailedToParse', `Found multiple array filters with the same top-level field name ${identifier}`);
    }
    filters.set(identifier, compileMatcher(filter, { collation }));
  }
  return filters;
}

/** Adds one update path to the tree, with mongod's validation and conflict errors; returns true if positional. */
function addPath(root: ObjectNode, path: string, leaf: LeafNode, filters: Map<string, Matcher>, used: Set<string>): boolean {
  if (path === '') throw new CommandError('EmptyFieldName', 'An empty update path is not valid.', {}, 56);
  const parts = splitPath(path);
  if (parts.some((p) => p === '')) {
    throw new CommandError('EmptyFieldName', `The update path '${path}' contains an empty field name, which is not allowed.`, {}, 56);
  }
  const positionalCount = parts.filter((p) => p === '$').length;
  if (positionalCount > 1) throw new CommandError('BadValue', `Too many positional (i.e. '$') elements found in path '${path}'`);
  if (parts[0] === '$' || parts[0].startsWith('$[')) {
    throw new CommandError('BadValue', `Cannot have positional (i.e. '$') element in the first position in path '${path}'`);
  }
  for (const p of parts) {
    if (p.startsWith('$[') && p.endsWith(']')) {
      const id = p.slice(2, -1);
      if (id !== '' && !filters.has(id)) {
        throw new CommandError('BadValue', `No array filter found for identifier '${id}' in path '${path}'`);
      }
      if (id !== '') used.add(id);
    } else if (p.startsWith('$') && p !== '$') {
      throw new CommandError(
        'DollarPrefixedFieldName',
        `The dollar ($) prefixed field '${p}' in '${path}' is not valid for storage.`,
        {}, 52,
      );
    }
  }
  let current: ObjectNode | ArrayNode = root;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    // Below an array node the part is `$[...]` (array nodes are only made for those); the key is the identifier.
    const key = current.kind === 'array' ? p.slice(2, -1) : p;
    const existing: UpdateNode | undefined = current.kind === 'object' && p === '$' ? current.positional : current.children.get(key);
    if (i === parts.length - 1) {
      if (existing) conflict(path, parts.slice(0, i + 1).join('.'));
      setChild(current, p, key, leaf);
      break;
    }
    const nextIsArray = parts[i + 1].startsWith('$[') && parts[i + 1].endsWith(']');
    if (existing) {
      // A leaf on a prefix, or array-filter children mixed with field children of one array, conflict.
      if (existing.kind === 'leaf' || (existing.kind === 'array') !== nextIsArray) conflict(path, parts.slice(0, i + 1).join('.'));
      current = existing as ObjectNode | ArrayNode;
      continue;
    }
    const created: ObjectNode | ArrayNode = nextIsArray ? { kind: 'array', children: new Map() } : { kind: 'object', children: new Map() };
    setChild(current, p, key, created);
    current = created;
  }
  return positionalCount > 0;
}

function setChild(parent: ObjectNode | ArrayNode, part: string, key: string, child: UpdateNode): void {
  if (parent.kind === 'object' && part === '$') parent.positional = child;
  else parent.children.set(key, child);
}

function conflict(path: string, at: string): never {
  throw new CommandError('ConflictingUpdateOperators', `Updating the path '${path}' would create a conflict at '${at}'`, {}, 40);
}

/** pathsupport::cmpPathsAndArrayIndexes: numeric names (no leading zero) numerically, others as strings. */
export function compareUpdatePaths(a: string, b: string): number {
  const an = isArrayIndex(a);
  const bn = isArrayIndex(b);
  if (an && bn) return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortTree(node: UpdateNode): void {
  if (node.kind === 'leaf') return;
  if (node.kind === 'object') {
    node.sorted = [...node.children.entries()].sort(([a], [b]) => compareUpdatePaths(a, b));
    if (node.positional) sortTree(node.positional);
  }
  for (const child of node.children.values()) sortTree(child);
}

interface ApplyContext extends ModifierContext {
  readonly root: Document;
  readonly matchedField: string | undefined;
  readonly filters: Map<string, Matcher>;
}

type Container = Document | unknown[];

function isContainer(v: unknown): v is Container {
  return Array.isArray(v) || isDocument(v);
}

function lookup(container: Container, field: string): unknown {
  if (Array.isArray(container)) return isArrayIndex(field) ? container[Number(field)] : undefined;
  return Object.prototype.hasOwnProperty.call(container, field) ? container[field] : undefined;
}

/** The children of an object node in application order, with the positional child under its resolved name. */
function childrenOf(node: ObjectNode, ctx: ApplyContext, path: string[]): [string, UpdateNode][] {
  const sorted = node.sorted ?? [];
  if (!node.positional) return sorted;
  const field = ctx.matchedField;
  if (field === undefined) {
    throw new CommandError('BadValue', 'The positional operator did not find the match needed from the query.');
  }
  const same = node.children.get(field);
  if (same && (same.kind === 'leaf' || node.positional.kind === 'leaf')) {
    throw new CommandError('ConflictingUpdateOperators', `Update created a conflict at '${[...path, field].join('.')}'`, {}, 40);
  }
  const all: [string, UpdateNode][] = [...sorted, [field, node.positional]];
  return all.sort(([a], [b]) => compareUpdatePaths(a, b));
}

function applyObject(container: Container, node: ObjectNode, ctx: ApplyContext, path: string[]): void {
  for (const [field, child] of childrenOf(node, ctx, path)) applyAt(container, [field], child, ctx, path);
}

/**
 * Applies `node`, which sits at `parts` below `container` (path `path` from the root). Looks the path up afresh
 * each time, so that a sibling that created part of it is seen.
 */
function applyAt(container: Container, parts: string[], node: UpdateNode, ctx: ApplyContext, path: string[]): void {
  const field = parts[0];
  const existing = lookup(container, field);
  if (parts.length > 1) {
    if (existing === undefined) return applyMissing(container, parts, node, ctx, path);
    if (!isContainer(existing)) return applyNonViable(field, existing, parts.slice(1), node, ctx, [...path, field]);
    return applyAt(existing, parts.slice(1), node, ctx, [...path, field]);
  }
  const here = [...path, field];
  switch (node.kind) {
    case 'leaf':
      if (existing === undefined) return applyMissing(container, parts, node, ctx, path);
      return setResult(container, field, node.modifier.existing(existing, ctx, { field, path: here.join('.') }));
    case 'object':
      if (existing !== undefined && !isContainer(existing)) {
        for (const [f, child] of childrenOf(node, ctx, here)) applyNonViable(field, existing, [f], child, ctx, here);
        return;
      }
      for (const [f, child] of childrenOf(node, ctx, here)) applyAt(container, [field, f], child, ctx, path);
      return;
    case 'array':
      return applyArray(existing, node, ctx, here);
  }
}

/** `$[]` and `$[<identifier>]`: the children applying to each element (all of them, or those the filter matches). */
function applyArray(value: unknown, node: ArrayNode, ctx: ApplyContext, path: string[]): void {
  const name = path.join('.');
  if (value === undefined) {
    throw new CommandError('BadValue', `The path '${name}' must exist in the document in order to apply array updates.`);
  }
  if (!Array.isArray(value)) {
    throw new CommandError('BadValue', `Cannot apply array updates to non-array element ${formatElement(path[path.length - 1], value)}`);
  }
  const entries = [...node.children.entries()];
  for (let i = 0; i < value.length; i++) {
    const applicable = entries.filter(([id]) => id === '' || ctx.filters.get(id)!.matches({ [id]: value[i] }));
    if (applicable.length > 1 && applicable.some(([, c]) => c.kind === 'leaf')) {
      throw new CommandError('ConflictingUpdateOperators', `Update created a conflict at '${name}.${i}'`, {}, 40);
    }
    for (const [, child] of applicable) applyAt(value, [String(i)], child, ctx, path);
  }
}

/** The path `parts` does not exist below `container`: leaves that create paths create it; others do nothing. */
function applyMissing(container: Container, parts: string[], node: UpdateNode, ctx: ApplyContext, path: string[]): void {
  if (node.kind === 'leaf') {
    const full = [...path, ...parts].join('.');
    const value = node.modifier.missing(ctx, { field: parts[parts.length - 1], path: full });
    if (value === NOOP || value === UNSET) return;
    createPath(container, parts, value, path);
    return;
  }
  if (node.kind === 'array') {
    throw new CommandError('BadValue', `The path '${[...path, ...parts].join('.')}' must exist in the document in order to apply array updates.`);
  }
  for (const [f, child] of childrenOf(node, ctx, [...path, ...parts])) applyAt(container, [...parts, f], child, ctx, path);
}

/** The path continues below `name`, whose value is not a document or array. */
function applyNonViable(name: string, value: unknown, rest: string[], node: UpdateNode, ctx: ApplyContext, path: string[]): void {
  if (node.kind === 'leaf') {
    const m = node.modifier;
    if (m.op === '$setOnInsert' && !ctx.isInsert) return;
    if (m.op === '$unset' || m === RENAME_SOURCE) return;
    if (m.op === '$rename') {
      if (m.missing(ctx, { field: rest[rest.length - 1], path: [...path, ...rest].join('.') }) === NOOP) return;
    }
    if (m.creates) {
      throw new CommandError('PathNotViable', `Cannot create field '${rest[0]}' in element {${formatElement(name, value)}}`, {}, 28);
    }
    throw new CommandError(
      'PathNotViable',
      `Cannot use the part (${rest[0]}) of (${[...path, ...rest].join('.')}) to traverse the element ({${formatElement(name, value)}})`,
      {}, 28,
    );
  }
  if (node.kind === 'array') {
    throw new CommandError('BadValue', `The path '${[...path, ...rest].join('.')}' must exist in the document in order to apply array updates.`);
  }
  for (const [f, child] of childrenOf(node, ctx, [...path, ...rest])) applyNonViable(name, value, [...rest, f], child, ctx, path);
}

/** mongod refuses to pad an array with more nulls than this (pathsupport::kMaxPaddingAllowed). */
const MAX_PADDING = 1500000;

function createPath(container: Container, parts: string[], value: unknown, path: string[]): void {
  const [first, ...rest] = parts;
  let built: unknown = value;
  for (let i = rest.length - 1; i >= 0; i--) built = { [rest[i]]: built };
  if (Array.isArray(container)) {
    if (!isArrayIndex(first)) {
      throw new CommandError('PathNotViable', `Cannot create field '${first}' in element {${formatElement(path[path.length - 1] ?? '', container)}}`, {}, 28);
    }
    const index = Number(first);
    if (index - container.length > MAX_PADDING) {
      throw new CommandError('BadValue', `can't backfill more than ${MAX_PADDING} elements`);
    }
    while (container.length < index) container.push(null);
    container[index] = built;
    return;
  }
  container[first] = built;
}

function setResult(container: Container, field: string, result: unknown): void {
  if (result === NOOP) return;
  if (result === UNSET) {
    // Inside an array $unset leaves a null, so that the other elements keep their positions.
    if (Array.isArray(container)) container[Number(field)] = null;
    else delete container[field];
    return;
  }
  if (Array.isArray(container)) container[Number(field)] = result;
  else container[field] = result;
}

/** Copies documents and arrays (BSON values are immutable and shared). */
function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isDocument(v) && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Document = {};
    for (const k of Object.keys(v)) out[k] = deepCopy(v[k]);
    return out;
  }
  return v;
}

/**
 * The document an upsert starts from (UpdateDriver::populateDocumentWithQueryFields): the query's equality
 * conditions on paths (implicit equality, `$eq`, inside `$and`), `_id` first when the query sets it.
 */
export function upsertSeed(query: Document): Document {
  const seed: Document = {};
  const add = (path: string, value: unknown): void => {
    const parts = splitPath(path);
    let cur: Document = seed;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = cur[parts[i]];
      if (next === undefined) cur[parts[i]] = {};
      else if (!isDocument(next)) {
        throw new CommandError('NotSingleValueField', `cannot infer query fields to set, path '${path}' is matched twice`, {}, 2);
      }
      cur = cur[parts[i]] as Document;
    }
    const last = parts[parts.length - 1];
    if (cur[last] !== undefined) {
      throw new CommandError('NotSingleValueField', `cannot infer query fields to set, path '${path}' is matched twice`, {}, 2);
    }
    cur[last] = value;
  };
  const visit = (q: Document): void => {
    for (const key of Object.keys(q)) {
      const v = q[key];
      if (key === '$and' && Array.isArray(v)) {
        for (const sub of v) if (isDocument(sub)) visit(sub);
        continue;
      }
      if (key === '$or' && Array.isArray(v) && v.length === 1 && isDocument(v[0])) {
        visit(v[0]);
        continue;
      }
      if (key.startsWith('$')) continue;
      if (isDocument(v) && (Object.keys(v)[0] ?? '').startsWith('$') && (v as { _bsontype?: string })._bsontype !== 'DBRef') {
        if (Object.prototype.hasOwnProperty.call(v, '$eq') && !isRegexValue(v.$eq)) add(key, v.$eq);
        continue;
      }
      if (isRegexValue(v)) continue;
      add(key, v);
    }
  };
  visit(query);
  if (Object.prototype.hasOwnProperty.call(seed, '_id')) {
    const { _id, ...rest } = seed;
    return { _id, ...rest };
  }
  return seed;
}

function isRegexValue(v: unknown): boolean {
  return v instanceof RegExp || (v as { _bsontype?: string } | null)?._bsontype === 'BSONRegExp';
}

/** Puts `_id` first, generating an ObjectId when the document has none (as an insert does). */
export function withIdFirst(doc: Document): Document {
  if (!Object.prototype.hasOwnProperty.call(doc, '_id')) return { _id: new ObjectId(), ...doc };
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}
