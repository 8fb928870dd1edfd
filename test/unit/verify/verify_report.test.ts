import { describe, expect, it } from '@jest/globals';
import { Int32 } from 'mongodb';
import {
  differingNamespaces,
  displayValue,
  formatVerifyReport,
  isHashEqual,
  isNamespaceEqual,
  isReportEqual,
  reportToJson,
  type NamespaceVerification,
  type VerifyReport,
} from '../../../src/verify/verify_report.js';

const H1 = '1'.repeat(64);
const H2 = '2'.repeat(64);

function makeVerification(overrides: Partial<NamespaceVerification> = {}): NamespaceVerification {
  return {
    ns: 'app.users',
    sourceKind: 'collection',
    destinationKind: 'collection',
    sourceCount: 3,
    destinationCount: 3,
    sourceHash: H1,
    destinationHash: H1,
    optionDifferences: [],
    indexDifferences: [],
    samples: [],
    ...overrides,
  };
}

function makeReport(namespaces: NamespaceVerification[], overrides: Partial<VerifyReport> = {}): VerifyReport {
  return { mode: 'syncing', modeReason: 'migrationState', migrationId: 'default', migrationState: 'RUNNING', namespaces, ...overrides };
}

describe('isNamespaceEqual', () => {
  it.each([
    ['equal counts and hashes', {}, true],
    ['a view (nothing counted)', { sourceKind: 'view', destinationKind: 'view', sourceCount: null, destinationCount: null, sourceHash: null, destinationHash: null }, true],
    ['other hashes', { destinationHash: H2 }, false],
    ['other counts with the same hash', { destinationCount: 4 }, false],
    ['missing on the destination', { destinationKind: null, destinationCount: null, destinationHash: null }, false],
    ['only on the destination', { sourceKind: null, sourceCount: null, sourceHash: null }, false],
    ['another kind', { sourceKind: 'view', sourceCount: null, sourceHash: null }, false],
    ['an option difference', { optionDifferences: [{ field: 'size', expected: 1, actual: 2 }] }, false],
    ['an index difference', { indexDifferences: [{ name: 'a_1', difference: 'extraOnDestination', actual: {} }] }, false],
    ['a sample', { samples: [{ _id: '1', difference: 'contentDiffers' }] }, false],
  ] as [string, Partial<NamespaceVerification>, boolean][])('%s -> %s', (_name, overrides, expected) => {
    expect(isNamespaceEqual(makeVerification(overrides))).toBe(expected);
  });

  it('says null for the hash when a side was not counted', () => {
    expect(isHashEqual(makeVerification({ destinationHash: null }))).toBeNull();
  });
});

describe('formatVerifyReport', () => {
  it('prints a table and an "all equal" summary', () => {
    const report = makeReport([
      makeVerification(),
      makeVerification({ ns: 'app.v', sourceKind: 'view', destinationKind: 'view', sourceCount: null, destinationCount: null, sourceHash: null, destinationHash: null }),
    ]);
    expect(formatVerifyReport(report)).toBe(
      [
        'Indexes and options compared with their sync-time form (migration "default" is RUNNING).',
        '',
        'NAMESPACE  KIND        SOURCE  DESTINATION  HASH   RESULT',
        'app.users  collection  3       3            equal  ok',
        'app.v      view        -       -            -      ok',
        '',
        'Result: all 2 namespaces are equal.',
        '',
      ].join('\n'),
    );
    expect(isReportEqual(report)).toBe(true);
  });

  it('lists every difference of a differing namespace under the table', () => {
    const report = makeReport(
      [
        makeVerification({
          destinationCount: 2,
          destinationHash: H2,
          optionDifferences: [{ field: 'validator', expected: { a: 1 }, actual: undefined }],
          indexDifferences: [
            { name: 'a_1', difference: 'missingOnDestination', expected: { key: { a: 1 }, name: 'a_1' } },
            { name: 'b_1', difference: 'extraOnDestination', actual: { key: { b: 1 }, name: 'b_1' } },
            { name: 't_1', difference: 'specDiffers', expected: {}, actual: {}, fields: [{ field: 'expireAfterSeconds', expected: 60, actual: new Int32(2147483647) }] },
          ],
          samples: [
            { _id: '{"$numberInt":"1"}', difference: 'contentDiffers' },
            { _id: '{"$numberInt":"2"}', difference: 'missingOnDestination' },
          ],
        }),
        makeVerification({ ns: 'app.gone', destinationKind: null, destinationCount: null, destinationHash: null }),
      ],
      { mode: 'committed', modeReason: 'flag' },
    );
    const text = formatVerifyReport(report);
    expect(text).toContain("Indexes and options compared with the source's definitions (--committed).");
    expect(text).toContain('app.users  collection          3       2            DIFFERENT  DIFFERENT');
    expect(text).toContain('app.gone   collection/missing  3       -            -          DIFFERENT');
    expect(text).toContain(
      [
        'app.users:',
        '  documents: 3 on the source, 2 on the destination',
        `  hash: ${H1} on the source, ${H2} on the destination`,
        '  option validator: expected {"a":1}, found (absent)',
        '  index a_1: missing on the destination, expected {"key":{"a":1},"name":"a_1"}',
        '  index b_1: only on the destination {"key":{"b":1},"name":"b_1"}',
        '  index t_1: expireAfterSeconds expected 60, found 2147483647',
        '  document _id {"$numberInt":"1"}: content differs (bytes)',
        '  document _id {"$numberInt":"2"}: missing on the destination',
      ].join('\n'),
    );
    expect(text).toContain('app.gone:\n  missing on the destination\n');
    expect(text.endsWith('Result: 2 of 2 namespaces differ.\n')).toBe(true);
    expect(differingNamespaces(report).map((v) => v.ns)).toEqual(['app.users', 'app.gone']);
  });

  it.each([
    [{ modeReason: 'noMigration', mode: 'committed', migrationState: null }, `(no migration "default" on the destination).`],
    [{ modeReason: 'migrationState', mode: 'committed', migrationState: 'COMMITTED' }, `(migration "default" is COMMITTED).`],
  ] as [Partial<VerifyReport>, string][])('explains why it compares as it does (%#)', (overrides, expected) => {
    expect(formatVerifyReport(makeReport([], overrides)).split('\n')[0]).toContain(expected);
  });

  it('says so when no namespace matches', () => {
    expect(formatVerifyReport(makeReport([]))).toContain('No namespace matches the namespace filter on either side.');
  });
});

describe('reportToJson', () => {
  it('adds the verdicts and turns catalog values into relaxed Extended JSON', () => {
    const json = reportToJson(
      makeReport([
        makeVerification({
          indexDifferences: [{ name: 't_1', difference: 'specDiffers', expected: { expireAfterSeconds: 60 }, actual: { expireAfterSeconds: new Int32(5) }, fields: [{ field: 'expireAfterSeconds', expected: 60, actual: new Int32(5) }] }],
        }),
      ]),
    );
    expect(JSON.parse(JSON.stringify(json))).toEqual({
      equal: false,
      mode: 'syncing',
      modeReason: 'migrationState',
      migrationId: 'default',
      migrationState: 'RUNNING',
      summary: { namespaces: 1, differing: 1 },
      namespaces: [
        {
          ns: 'app.users',
          equal: false,
          sourceKind: 'collection',
          destinationKind: 'collection',
          sourceCount: 3,
          destinationCount: 3,
          hashEqual: true,
          sourceHash: H1,
          destinationHash: H1,
          optionDifferences: [],
          indexDifferences: [
            {
              name: 't_1',
              difference: 'specDiffers',
              expected: { expireAfterSeconds: 60 },
              actual: { expireAfterSeconds: 5 },
              fields: [{ field: 'expireAfterSeconds', expected: 60, actual: 5 }],
            },
          ],
          samples: [],
        },
      ],
    });
  });
});

describe('displayValue', () => {
  it.each([
    [undefined, '(absent)'],
    [new Int32(3), '3'],
    ['x', '"x"'],
    [{ a: [1] }, '{"a":[1]}'],
  ])('%# shows %p', (value, expected) => {
    expect(displayValue(value)).toBe(expected);
  });
});
