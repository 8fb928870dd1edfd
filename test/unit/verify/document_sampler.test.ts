import { describe, expect, it } from '@jest/globals';
import { BSON, Double, Int32, ObjectId } from 'mongodb';
import { findDifferences, idText } from '../../../src/verify/document_sampler.js';

const doc = (value: object): Buffer => Buffer.from(BSON.serialize(value));

/** An async stream of documents that records whether it was closed early. */
function stream(documents: readonly Buffer[]): AsyncIterable<Uint8Array> & { read: number; closed: boolean } {
  const state = {
    read: 0,
    closed: false,
    async *[Symbol.asyncIterator]() {
      try {
        for (const document of documents) {
          state.read += 1;
          yield document;
        }
      } finally {
        state.closed = true;
      }
    },
  };
  return state;
}

describe('findDifferences', () => {
  const one = doc({ _id: 1, v: 'a' });
  const two = doc({ _id: 2, v: 'b' });
  const three = doc({ _id: 3, v: 'c' });

  it.each([
    ['nothing for equal streams', [one, two, three], [one, two, three], []],
    ['nothing for two empty streams', [], [], []],
    ['a document missing on the destination', [one, two, three], [one, three], [['{"$numberInt":"2"}', 'missingOnDestination']]],
    ['a document only on the destination', [one], [one, three], [['{"$numberInt":"3"}', 'extraOnDestination']]],
    ['every document when the destination is empty', [one, two], [], [['{"$numberInt":"1"}', 'missingOnDestination'], ['{"$numberInt":"2"}', 'missingOnDestination']]],
    [
      'a value of another number type (equal by value, not by bytes)',
      [doc({ _id: 1, n: new Int32(1) })],
      [doc({ _id: 1, n: new Double(1) })],
      [['{"$numberInt":"1"}', 'contentDiffers']],
    ],
    ['an _id of another number type', [doc({ _id: new Int32(7) })], [doc({ _id: new Double(7) })], [['{"$numberInt":"7"}', 'contentDiffers']]],
    [
      'a mix, in _id order',
      [one, two, doc({ _id: 4, v: 'd' })],
      [doc({ _id: 0 }), one, doc({ _id: 2, v: 'B' }), doc({ _id: 4, v: 'd' })],
      [['{"$numberInt":"0"}', 'extraOnDestination'], ['{"$numberInt":"2"}', 'contentDiffers']],
    ],
  ])('finds %s', async (_name, source, destination, expected) => {
    const samples = await findDifferences(stream(source), stream(destination), 10);
    expect(samples.map((sample) => [sample._id, sample.difference])).toEqual(expected);
  });

  it('stops reading both sides once it has the samples it wants', async () => {
    const source = stream(Array.from({ length: 100 }, (_, i) => doc({ _id: i, v: 'x' })));
    const destination = stream(Array.from({ length: 100 }, (_, i) => doc({ _id: i, v: 'y' })));
    const samples = await findDifferences(source, destination, 3);
    expect(samples).toHaveLength(3);
    expect(source.read).toBe(4);
    expect(destination.read).toBe(4);
    expect([source.closed, destination.closed]).toEqual([true, true]);
  });
});

describe('idText', () => {
  it.each([
    [doc({ _id: new ObjectId('65a1b2c3d4e5f60718293a4b') }), '{"$oid":"65a1b2c3d4e5f60718293a4b"}'],
    [doc({ a: 1, _id: 'k' }), '"k"'],
    [doc({ _id: { x: new Double(1.5) } }), '{"x":{"$numberDouble":"1.5"}}'],
    [doc({ a: 1 }), '(no _id)'],
  ])('%# shows the _id as canonical Extended JSON', (document, expected) => {
    expect(idText(document)).toBe(expected);
  });
});
