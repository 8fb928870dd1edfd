/**
 * The pure comparison of catalog definitions: what the destination's collection options and index specs must be
 * given the source's, and how they differ.
 *
 * While a migration is not committed, the destination holds the sync-time rewrites of `catalog/` (capped size of
 * 1 PiB, unique -> non-unique, TTL -> 2147483647, hidden -> visible, legacy key values -> 1), so the expected
 * definition is the rewritten one; once committed, it is the original. Values compare by meaning rather than by
 * bytes: a number equals the same number of another type (mongod may store `expireAfterSeconds` or a capped
 * `size` with another type than the one given), and the top-level fields of an options document or index spec
 * may come in any order. Nested documents keep their order, which matters for an index's `key`.
 */
import { BSON, type Document } from 'mongodb';
import { collectionOptionsForSync } from '../catalog/collection_rules.js';
import { indexForSync, isIdIndex } from '../catalog/index_rules.js';

/** What the destination's catalog is compared against. */
export const COMPARISON_MODES = Object.freeze(['syncing', 'committed'] as const);
/**
 * `syncing`: the source's definitions with the sync-time rewrites (migration not committed);
 * `committed`: the source's definitions as they are (after commit, or when no migration of this tool wrote the
 * destination).
 */
export type ComparisonMode = (typeof COMPARISON_MODES)[number];

/** Which indexes the destination should have (the `buildIndexes` setting). */
export type IndexExpectation = 'all' | 'idOnly';

/** One field whose value differs; `undefined` means the field is absent on that side. */
export interface FieldDifference {
  readonly field: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

/** How one index differs, by name. */
export interface IndexDifference {
  readonly name: string;
  readonly difference: 'missingOnDestination' | 'extraOnDestination' | 'specDiffers';
  /** The spec expected on the destination; absent for an extra index. */
  readonly expected?: Document;
  /** The destination's spec; absent for a missing index. */
  readonly actual?: Document;
  /** The differing fields, for `specDiffers`. */
  readonly fields?: readonly FieldDifference[];
}

/** Index spec fields that say nothing about the index itself: format version, legacy namespace, build mode. */
const IGNORED_INDEX_FIELDS: ReadonlySet<string> = new Set(['v', 'ns', 'background']);

/** Boolean index options whose `false` means the same as their absence. */
const FALSE_MEANS_ABSENT: ReadonlySet<string> = new Set(['unique', 'sparse', 'hidden', 'prepareUnique']);

/** Options the sync-time rewrite lifts and commit restores. */
const RESTORED_INDEX_OPTIONS = Object.freeze(['unique', 'prepareUnique', 'hidden', 'expireAfterSeconds'] as const);

/** The collection options expected on the destination for the source's `options`. */
export function expectedCollectionOptions(sourceOptions: Document, mode: ComparisonMode): Document {
  return mode === 'syncing' ? collectionOptionsForSync(sourceOptions) : { ...sourceOptions };
}

/** The index spec expected on the destination for a source index spec. */
export function expectedIndexSpec(sourceSpec: Document, mode: ComparisonMode): Document {
  // The `_id` index comes with the collection (a clustered one's is unique by nature): never rewritten.
  if (isIdIndex(sourceSpec)) return { ...sourceSpec };
  const { spec } = indexForSync(sourceSpec);
  if (mode === 'syncing') return spec;
  // Committed: the rewrite's lasting effects (legacy key values, options mongod refuses) stay, the rest is undone.
  const restored: Document = { ...spec };
  for (const option of RESTORED_INDEX_OPTIONS) {
    if (sourceSpec[option] === undefined) delete restored[option];
    else restored[option] = sourceSpec[option];
  }
  return restored;
}

/** The differing top-level fields of two options documents (any field order). */
export function compareOptions(expected: Document, actual: Document): FieldDifference[] {
  const differences: FieldDifference[] = [];
  for (const field of unionOfKeys(expected, actual)) {
    if (!specValuesEqual(expected[field], actual[field])) {
      differences.push({ field, expected: expected[field], actual: actual[field] });
    }
  }
  return differences;
}

/**
 * Compares the destination's indexes with the source's, by name. With `idOnly`, only the `_id` index is expected
 * (`buildIndexes: never`).
 */
export function compareIndexes(
  sourceSpecs: readonly Document[],
  destinationSpecs: readonly Document[],
  mode: ComparisonMode,
  expectation: IndexExpectation = 'all',
): IndexDifference[] {
  const expectedByName = new Map<string, Document>();
  for (const spec of sourceSpecs) {
    if (expectation === 'idOnly' && !isIdIndex(spec)) continue;
    expectedByName.set(String(spec.name), normalizeIndexSpec(expectedIndexSpec(spec, mode)));
  }
  const actualByName = new Map(destinationSpecs.map((spec) => [String(spec.name), normalizeIndexSpec(spec)] as const));
  const differences: IndexDifference[] = [];
  for (const [name, expected] of expectedByName) {
    const actual = actualByName.get(name);
    if (actual === undefined) {
      differences.push({ name, difference: 'missingOnDestination', expected });
      continue;
    }
    const fields = compareOptions(expected, actual);
    if (fields.length > 0) differences.push({ name, difference: 'specDiffers', expected, actual, fields });
  }
  for (const [name, actual] of actualByName) {
    if (!expectedByName.has(name)) differences.push({ name, difference: 'extraOnDestination', actual });
  }
  return differences.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * An index spec without the fields that do not define the index: `v`, `ns`, `background`, boolean options set to
 * false, and `prepareUnique` on a unique index (commit's conversion to unique goes through prepareUnique, and
 * whether the flag stays listed afterwards is not what makes the index unique).
 */
export function normalizeIndexSpec(spec: Document): Document {
  const out: Document = {};
  for (const [field, value] of Object.entries(spec)) {
    if (IGNORED_INDEX_FIELDS.has(field)) continue;
    if (FALSE_MEANS_ABSENT.has(field) && (value === false || value === undefined)) continue;
    out[field] = value;
  }
  if (out.unique === true) delete out.prepareUnique;
  return out;
}

/**
 * True when two catalog values mean the same: numbers by value whatever their BSON type, arrays and nested
 * documents element by element in order, anything else by its canonical Extended JSON.
 */
export function specValuesEqual(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  const left = numericValue(a);
  const right = numericValue(b);
  if (left !== undefined || right !== undefined) return left !== undefined && right !== undefined && numbersEqual(left, right);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => specValuesEqual(item, b[i]));
  }
  const leftEntries = documentEntries(a);
  const rightEntries = documentEntries(b);
  if (leftEntries !== undefined || rightEntries !== undefined) {
    return (
      leftEntries !== undefined &&
      rightEntries !== undefined &&
      leftEntries.length === rightEntries.length &&
      leftEntries.every(([key, value], i) => {
        const other = rightEntries[i];
        return other !== undefined && other[0] === key && specValuesEqual(value, other[1]);
      })
    );
  }
  return canonicalText(a) === canonicalText(b);
}

/** A number as a decimal string (exact for integers of any size) or a double. */
type NumericValue = { readonly integer: string } | { readonly double: number };

function numericValue(value: unknown): NumericValue | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? { integer: String(value) } : { double: value };
  if (typeof value === 'bigint') return { integer: value.toString() };
  if (value === null || typeof value !== 'object') return undefined;
  switch ((value as { _bsontype?: unknown })._bsontype) {
    case 'Int32':
    case 'Double':
      return numericValue((value as { value: number }).value);
    case 'Long':
      return { integer: String(value) };
    case 'Decimal128': {
      const number = Number(String(value));
      return Number.isInteger(number) && Number.isSafeInteger(number) ? { integer: String(number) } : { double: number };
    }
    default:
      return undefined;
  }
}

function numbersEqual(a: NumericValue, b: NumericValue): boolean {
  if ('integer' in a && 'integer' in b) return a.integer === b.integer;
  const left = 'integer' in a ? Number(a.integer) : a.double;
  const right = 'integer' in b ? Number(b.integer) : b.double;
  return left === right || (Number.isNaN(left) && Number.isNaN(right));
}

/** The entries of a plain document or a Map (as exact decoding yields for some documents); undefined otherwise. */
function documentEntries(value: unknown): [string, unknown][] | undefined {
  if (value instanceof Map) return [...(value as Map<string, unknown>).entries()];
  if (value === null || typeof value !== 'object') return undefined;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return undefined;
  return Object.entries(value as Document);
}

function canonicalText(value: unknown): string {
  return BSON.EJSON.stringify(value as Document, { relaxed: false });
}

function unionOfKeys(a: Document, b: Document): string[] {
  const keys = Object.keys(a);
  for (const key of Object.keys(b)) if (!(key in a)) keys.push(key);
  return keys;
}
