import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BSON } from 'mongodb';
import type { RunOnRequirement } from './run_on_requirements.js';

/**
 * Reads MongoDB's unified-format spec tests in place from ../shared/spec-data (CC BY-NC-SA: they are never copied into
 * this repository).
 */

/** The suites the runner knows, with their folder and index file under the spec-data folder. */
export const SUITES = Object.freeze({
  crud: { folder: 'crud', index: 'crud-index.tsv' },
  'change-streams': { folder: 'change-streams', index: 'change-streams-index.tsv' },
} as const);

/** A suite name. */
export type SuiteName = keyof typeof SUITES;

/** One operation of a test, as written in the file (values parsed as canonical Extended JSON). */
export interface SpecOperation {
  name: string;
  object: string;
  arguments?: Record<string, unknown>;
  expectResult?: unknown;
  expectError?: Record<string, unknown>;
  saveResultAsEntity?: string;
  ignoreResultAndError?: boolean;
}

/** One collectionData object of `initialData` or `outcome`. */
export interface SpecCollectionData {
  collectionName: string;
  databaseName: string;
  createOptions?: Record<string, unknown>;
  documents: Record<string, unknown>[];
}

/** One test of a file. */
export interface SpecTest {
  description: string;
  runOnRequirements?: RunOnRequirement[];
  skipReason?: string;
  operations: SpecOperation[];
  expectEvents?: unknown[];
  outcome?: SpecCollectionData[];
}

/** One unified-format test file. */
export interface SpecFile {
  /** Suite it belongs to. */
  suite: SuiteName;
  /** File name within the suite folder, e.g. "updateOne.json". */
  fileName: string;
  description: string;
  schemaVersion: string;
  runOnRequirements?: RunOnRequirement[];
  createEntities?: Record<string, Record<string, unknown>>[];
  initialData?: SpecCollectionData[];
  tests: SpecTest[];
}

/** One row of a suite's index file: whether the test is runnable on a 7.0 replica set, and its notable features. */
export interface IndexEntry {
  runnable: boolean;
  /** Feature names (failPoint, hint, collation, ...); empty for a plain test. */
  features: string[];
}

/** The folder of spec data, resolved from this script's location (the repo's ../shared/spec-data). */
export function defaultSpecDataDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'spec-data');
}

/** The key of a test in an index: file name and description. */
export function indexKey(fileName: string, description: string): string {
  return `${fileName}\t${description}`;
}

/** Reads a suite's index file; an empty map when it is absent. */
export function loadIndex(specDataDir: string, suite: SuiteName): Map<string, IndexEntry> {
  const path = join(specDataDir, SUITES[suite].index);
  const index = new Map<string, IndexEntry>();
  if (!existsSync(path)) return index;
  const lines = readFileSync(path, 'utf8').split('\n').slice(1);
  for (const line of lines) {
    if (line.trim() === '') continue;
    const [file = '', description = '', runnable = '', features = ''] = line.split('\t');
    index.set(indexKey(file, description), {
      runnable: runnable === 'True',
      features: features === '' ? [] : features.split(','),
    });
  }
  return index;
}

/** Lists a suite's test files (sorted), parsing each as canonical Extended JSON so that numeric types are kept. */
export function loadSuite(specDataDir: string, suite: SuiteName): SpecFile[] {
  const folder = join(specDataDir, SUITES[suite].folder);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((fileName) => {
      const parsed = BSON.EJSON.parse(readFileSync(join(folder, fileName), 'utf8'), { relaxed: false }) as Omit<
        SpecFile,
        'suite' | 'fileName'
      >;
      return { ...parsed, suite, fileName };
    });
}
