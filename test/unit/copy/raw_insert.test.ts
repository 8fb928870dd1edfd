import { BSON } from 'mongodb';
import { isUsableSequenceClass, kindOneSection, loadRawInserter, splitByBytes } from '../../../src/copy/raw_insert.js';

describe('splitByBytes', () => {
  it.each<[string, number[], number, Array<[number, number]>]>([
    ['nothing', [], 10, []],
    ['one run when everything fits', [3, 3, 4], 10, [[0, 3]]],
    ['a new run where the next document would overflow', [4, 4, 4, 4], 10, [[0, 2], [2, 4]]],
    ['a document larger than the limit alone', [2, 30, 2], 10, [[0, 1], [1, 2], [2, 3]]],
    ['a first document larger than the limit', [30, 2, 2], 10, [[0, 1], [1, 3]]],
    ['exactly the limit in one run', [5, 5, 1], 10, [[0, 2], [2, 3]]],
  ])('splits %s', (_name, sizes, max, runs) => {
    const starts = [0];
    for (const size of sizes) starts.push(starts[starts.length - 1] + size);
    expect(splitByBytes((i) => starts[i], 0, sizes.length, max)).toEqual(runs);
  });

  it('starts at the index given', () => {
    expect(splitByBytes((i) => i * 4, 2, 5, 8)).toEqual([[2, 4], [4, 5]]);
  });
});

describe('kindOneSection', () => {
  it('lays out kind 1, the size (without the kind byte), the identifier and the documents', () => {
    const doc = BSON.serialize({ a: 1 });
    const section = kindOneSection('documents', [doc, doc]);
    expect(section[0]).toBe(1);
    expect(section.readInt32LE(1)).toBe(section.length - 1);
    expect(section.subarray(5, 15).toString('latin1')).toBe('documents\0');
    expect(section.subarray(15)).toEqual(Buffer.concat([doc, doc]));
  });
});

describe('isUsableSequenceClass', () => {
  class Recording {
    chunks: Uint8Array[] = [];
    constructor(private readonly field: string) {}
    push(_document: unknown, bytes: Uint8Array): number {
      this.chunks.push(bytes);
      return this.chunks.length;
    }
    toBin(): Uint8Array {
      return kindOneSection(this.field, this.chunks);
    }
  }
  class ReEncoding extends Recording {
    override toBin(): Uint8Array {
      return kindOneSection('documents', [BSON.serialize({ a: 2 })]);
    }
  }
  class Throwing {
    constructor() {
      throw new Error('different constructor');
    }
  }

  it.each<[string, unknown, boolean]>([
    ['a class that lays out the section expected', Recording, true],
    ['a class whose section differs', ReEncoding, false],
    ['a class whose constructor throws', Throwing, false],
    ['a class without push', class {}, false],
    ['something that is not a class', {}, false],
    ['nothing', undefined, false],
  ])('accepts only %s', (_name, candidate, usable) => {
    expect(isUsableSequenceClass(candidate)).toBe(usable);
  });

  it('accepts the installed driver, so that the copy writes raw bytes (fails when a driver upgrade changes it)', async () => {
    expect(await loadRawInserter()).toBeDefined();
  });
});
