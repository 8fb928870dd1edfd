import { isClientSideOnly } from '../../conformance/file_runner.js';
import type { SpecOperation, SpecTest } from '../../conformance/spec_loader.js';

function testOf(operations: SpecOperation[], outcome?: SpecTest['outcome']): SpecTest {
  return { description: 't', operations, outcome };
}

const insert: SpecOperation = { name: 'insertOne', object: 'collection0', arguments: { document: { _id: 1 } } };
const clientError: SpecOperation = { ...insert, name: 'updateOne', expectError: { isClientError: true } };
const failPoint: SpecOperation = { name: 'failPoint', object: 'testRunner', arguments: {} };
const outcome = [{ databaseName: 'db', collectionName: 'c', documents: [] }];

describe('isClientSideOnly', () => {
  it.each<[string, SpecTest, boolean]>([
    ['operations without assertions (expectEvents only)', testOf([insert]), true],
    ['only client-side validation errors, even with an outcome', testOf([clientError], outcome), true],
    ['an expected result', testOf([{ ...insert, expectResult: { insertedId: 1 } }]), false],
    ['an outcome', testOf([insert], outcome), false],
    ['a server error', testOf([{ ...insert, expectError: { errorCode: 11000 } }]), false],
    ['a client error caused by a fail point (network error)', testOf([failPoint, clientError]), false],
  ])('judges %s as client-side only: %s', (_name, test, expected) => {
    expect(isClientSideOnly(test)).toBe(expected);
  });
});
