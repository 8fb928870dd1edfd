import { BSON } from 'mongodb';
import {
  compareNumbers,
  describeValue,
  hasBsonType,
  hexOfBytes,
  isDocument,
  isFlexibleNumber,
  scalarsEqual,
} from './bson_values.js';
import { RunnerError } from './runner_error.js';

/**
 * The matching rules of the unified test format ("Evaluating Matches" in mongodb/specifications
 * source/unified-test-format/unified-test-format.md): extra fields are allowed in root-level documents only, key order
 * does not matter, arrays must have the same length, int/long/double compare by value, and single-key documents
 * whose key starts with `$$` are special operators.
 */

/** Resolves the entity names that special operators refer to. */
export interface MatchEntities {
  /** The value of a BSON entity (`$$matchesEntity`); throws RunnerError when undefined. */
  bsonEntity(name: string): unknown;
  /** The logical session id `{ id: <UUID> }` of a session entity (`$$sessionLsid`); throws RunnerError when undefined. */
  sessionLsid(name: string): unknown;
}

/** How the top of `actual` is treated. */
export interface MatchOptions {
  /** The top value is a root-level document (extra fields allowed); default true. */
  isRoot?: boolean;
  /**
   * The top value is an iterable result (find, aggregate, ...): each element of the array is a root-level document.
   * Default false (e.g. distinct, whose array elements are nested values).
   */
  elementsAreRoots?: boolean;
}

const NO_ENTITIES: MatchEntities = {
  bsonEntity: (name) => {
    throw new RunnerError(`entity "${name}" is not defined`);
  },
  sessionLsid: (name) => {
    throw new RunnerError(`session entity "${name}" is not defined`);
  },
};

/** At most this many mismatches are collected: the first ones explain a failure, the rest are noise. */
const MAX_MISMATCHES = 5;

/**
 * Matches `actual` against `expected` with the unified format's rules. Returns the mismatches as
 * `"<path>: <reason>"` strings (empty when they match). Throws RunnerError for malformed special operators or
 * undefined entities, which are problems of the test file or of the runner, not of the server.
 */
export function matchResult(
  expected: unknown,
  actual: unknown,
  entities: MatchEntities = NO_ENTITIES,
  options: MatchOptions = {},
): string[] {
  const mismatches: string[] = [];
  const matcher = new Matcher(entities, mismatches);
  if (options.elementsAreRoots && Array.isArray(expected)) {
    matcher.matchArray(expected, actual, '', true);
  } else {
    matcher.match(expected, actual, '', options.isRoot ?? true);
  }
  return mismatches.slice(0, MAX_MISMATCHES);
}

/**
 * Matches collection contents exactly, as `outcome` requires: no special operators and no extra fields at any level,
 * key order ignored. Numbers still compare by value across int/long/double because the test files are JSON, where
 * `1.0` and `1` cannot be told apart.
 */
export function matchExactly(expected: unknown, actual: unknown, path = ''): string[] {
  const mismatches: string[] = [];
  exact(expected, actual, path, mismatches);
  return mismatches.slice(0, MAX_MISMATCHES);
}

function at(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

function where(path: string): string {
  return path === '' ? '(root)' : path;
}

function isPresent(document: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(document, key) && document[key] !== undefined;
}

/** The operator name when `value` is a special operator document (first and only key starts with `$$`). */
function operatorOf(value: unknown): string | undefined {
  if (!isDocument(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0]!.startsWith('$$') ? keys[0] : undefined;
}

function scalarMismatch(expected: unknown, actual: unknown): string | undefined {
  if (isFlexibleNumber(expected) && isFlexibleNumber(actual)) {
    return compareNumbers(expected, actual) === 0
      ? undefined
      : `expected ${describeValue(expected)}, got ${describeValue(actual)}`;
  }
  return scalarsEqual(expected, actual) ? undefined : `expected ${describeValue(expected)}, got ${describeValue(actual)}`;
}

class Matcher {
  constructor(
    private readonly entities: MatchEntities,
    private readonly mismatches: string[],
  ) {}

  private fail(path: string, reason: string): void {
    this.mismatches.push(`${where(path)}: ${reason}`);
  }

  match(expected: unknown, actual: unknown, path: string, isRoot: boolean): void {
    if (this.mismatches.length >= MAX_MISMATCHES) return;
    const operator = operatorOf(expected);
    if (operator !== undefined) {
      this.valueOperator(operator, (expected as Record<string, unknown>)[operator], actual, path, isRoot);
      return;
    }
    if (isDocument(expected)) {
      this.matchDocument(expected, actual, path, isRoot);
      return;
    }
    if (Array.isArray(expected)) {
      this.matchArray(expected, actual, path, false);
      return;
    }
    if (actual === undefined) {
      this.fail(path, `expected ${describeValue(expected)}, got nothing`);
      return;
    }
    const reason = scalarMismatch(expected, actual);
    if (reason !== undefined) this.fail(path, reason);
  }

  matchArray(expected: unknown[], actual: unknown, path: string, elementsAreRoots: boolean): void {
    if (!Array.isArray(actual)) {
      this.fail(path, `expected an array, got ${describeValue(actual)}`);
      return;
    }
    if (actual.length !== expected.length) {
      this.fail(path, `expected ${expected.length} elements, got ${actual.length}: ${describeValue(actual)}`);
      return;
    }
    expected.forEach((element, i) => this.match(element, actual[i], at(path, i), elementsAreRoots));
  }

  private matchDocument(expected: Record<string, unknown>, actual: unknown, path: string, isRoot: boolean): void {
    if (!isDocument(actual)) {
      this.fail(path, `expected a document, got ${describeValue(actual)}`);
      return;
    }
    for (const [key, value] of Object.entries(expected)) {
      const keyPath = at(path, key);
      const operator = operatorOf(value);
      const present = isPresent(actual, key);
      if (operator === '$$exists') {
        const wanted = (value as Record<string, unknown>)[operator];
        if (typeof wanted !== 'boolean') throw new RunnerError(`${keyPath}: $$exists takes a boolean`);
        if (wanted && !present) this.fail(keyPath, 'expected the field to exist');
        if (!wanted && present) this.fail(keyPath, `expected no field, got ${describeValue(actual[key])}`);
        continue;
      }
      if (operator === '$$unsetOrMatches') {
        if (present) this.match((value as Record<string, unknown>)[operator], actual[key], keyPath, false);
        continue;
      }
      if (!present) {
        this.fail(keyPath, `expected ${describeValue(value)}, field is missing from ${describeValue(actual)}`);
        continue;
      }
      this.match(value, actual[key], keyPath, false);
    }
    if (!isRoot) {
      const extra = Object.keys(actual).filter((key) => isPresent(actual, key) && !(key in expected));
      if (extra.length > 0) {
        this.fail(path, `unexpected field(s) ${extra.join(', ')} in a nested document: ${describeValue(actual)}`);
      }
    }
  }

  private valueOperator(operator: string, argument: unknown, actual: unknown, path: string, isRoot: boolean): void {
    switch (operator) {
      case '$$exists':
        if (typeof argument !== 'boolean') throw new RunnerError(`${where(path)}: $$exists takes a boolean`);
        if (argument !== (actual !== undefined)) this.fail(path, argument ? 'expected a value' : 'expected no value');
        return;
      case '$$unsetOrMatches':
        if (actual !== undefined) this.match(argument, actual, path, isRoot);
        return;
      case '$$type': {
        const types = Array.isArray(argument) ? argument : [argument];
        if (!types.every((t) => typeof t === 'string')) {
          throw new RunnerError(`${where(path)}: $$type takes a string or an array of strings`);
        }
        if (actual === undefined) this.fail(path, `expected a value of type ${types.join('|')}, got nothing`);
        else if (!hasBsonType(actual, types as string[])) {
          this.fail(path, `expected type ${types.join('|')}, got ${describeValue(actual)}`);
        }
        return;
      }
      case '$$matchesEntity':
        if (typeof argument !== 'string') throw new RunnerError(`${where(path)}: $$matchesEntity takes an entity name`);
        this.match(this.entities.bsonEntity(argument), actual, path, isRoot);
        return;
      case '$$sessionLsid': {
        if (typeof argument !== 'string') throw new RunnerError(`${where(path)}: $$sessionLsid takes an entity name`);
        for (const reason of matchExactly(this.entities.sessionLsid(argument), actual, path)) {
          this.mismatches.push(reason);
        }
        return;
      }
      case '$$lte':
        if (!isFlexibleNumber(argument)) throw new RunnerError(`${where(path)}: $$lte takes a number`);
        if (!isFlexibleNumber(actual) || !(compareNumbers(actual, argument) <= 0)) {
          this.fail(path, `expected a number <= ${describeValue(argument)}, got ${describeValue(actual)}`);
        }
        return;
      case '$$matchesHexBytes': {
        if (typeof argument !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(argument)) {
          throw new RunnerError(`${where(path)}: $$matchesHexBytes takes an even number of hex digits`);
        }
        const hex = typeof actual === 'string' ? Buffer.from(actual).toString('hex') : hexOfBytes(actual);
        if (hex !== argument.toLowerCase()) this.fail(path, `expected bytes ${argument}, got ${describeValue(actual)}`);
        return;
      }
      case '$$matchAsDocument': {
        if (typeof actual !== 'string') {
          this.fail(path, `expected an Extended JSON string, got ${describeValue(actual)}`);
          return;
        }
        let parsed: unknown;
        try {
          parsed = BSON.EJSON.parse(actual, { relaxed: false });
        } catch (error) {
          this.fail(path, `not Extended JSON: ${(error as Error).message}`);
          return;
        }
        this.match(argument, parsed, path, false);
        return;
      }
      case '$$matchAsRoot':
        this.match(argument, actual, path, true);
        return;
      default:
        throw new RunnerError(`${where(path)}: unknown special operator ${operator}`);
    }
  }
}

function exact(expected: unknown, actual: unknown, path: string, mismatches: string[]): void {
  if (mismatches.length >= MAX_MISMATCHES) return;
  if (isDocument(expected)) {
    if (!isDocument(actual)) {
      mismatches.push(`${where(path)}: expected a document, got ${describeValue(actual)}`);
      return;
    }
    for (const [key, value] of Object.entries(expected)) {
      if (!isPresent(actual, key)) {
        mismatches.push(`${where(at(path, key))}: expected ${describeValue(value)}, field is missing`);
      } else {
        exact(value, actual[key], at(path, key), mismatches);
      }
    }
    const extra = Object.keys(actual).filter((key) => isPresent(actual, key) && !(key in expected));
    if (extra.length > 0) mismatches.push(`${where(path)}: unexpected field(s) ${extra.join(', ')}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      mismatches.push(`${where(path)}: expected an array, got ${describeValue(actual)}`);
    } else if (actual.length !== expected.length) {
      mismatches.push(`${where(path)}: expected ${expected.length} elements, got ${actual.length}: ${describeValue(actual)}`);
    } else {
      expected.forEach((element, i) => exact(element, actual[i], at(path, i), mismatches));
    }
    return;
  }
  const reason = scalarMismatch(expected, actual);
  if (reason !== undefined) mismatches.push(`${where(path)}: ${reason}`);
}
