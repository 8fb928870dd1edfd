import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { BSON, Double, Int32 } from 'mongodb';
import { MultisetHash, Sum256 } from '../../../src/verify/multiset_hash.js';

const MOD = 1n << 256n;

function digest(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** The reference: the sum of the digests as BigInt, modulo 2^256. */
function referenceHex(values: readonly Uint8Array[]): string {
  const sum = values.reduce((acc, value) => (acc + BigInt(`0x${Buffer.from(value).toString('hex')}`)) % MOD, 0n);
  return sum.toString(16).padStart(64, '0');
}

function hashOf(documents: readonly Uint8Array[]): string {
  const hash = new MultisetHash();
  for (const document of documents) hash.add(document);
  return hash.toHex();
}

const doc = (value: object): Uint8Array => BSON.serialize(value);

describe('Sum256', () => {
  const ALL_ONES = Buffer.alloc(32, 0xff);
  const ONE = Buffer.concat([Buffer.alloc(31), Buffer.from([1])]);
  const HIGH_BIT = Buffer.concat([Buffer.from([0x80]), Buffer.alloc(31)]);

  it.each([
    ['no value', [] as Buffer[]],
    ['one value', [ONE]],
    ['a carry through every lane (2^256 - 1 + 1 wraps to 0)', [ALL_ONES, ONE]],
    ['the top bit twice (overflow dropped)', [HIGH_BIT, HIGH_BIT]],
    ['many maximal values', Array.from({ length: 50 }, () => ALL_ONES)],
    ['digests', ['a', 'b', 'c', 'a'].map((text) => digest(Buffer.from(text)))],
  ])('matches the BigInt sum modulo 2^256 for %s, whatever the carry interval', (_name, values) => {
    for (const interval of [1, 3, 2 ** 20]) {
      const sum = new Sum256(interval);
      for (const value of values) sum.add(value);
      expect(sum.toHex()).toBe(referenceHex(values));
    }
  });

  it('refuses a value that is not 32 bytes long', () => {
    expect(() => new Sum256().add(Buffer.alloc(31))).toThrow(RangeError);
  });

  it('can be read several times while adding', () => {
    const sum = new Sum256(1000);
    sum.add(ALL_ONES);
    const first = sum.toHex();
    sum.add(ONE);
    expect(first).toBe(referenceHex([ALL_ONES]));
    expect(sum.toHex()).toBe(referenceHex([ALL_ONES, ONE]));
  });
});

describe('MultisetHash', () => {
  const a = doc({ _id: 1, a: 'x' });
  const b = doc({ _id: 2, a: 'y' });
  const c = doc({ _id: 3, a: 'z' });

  it('is all zeros for no document, and counts documents', () => {
    const hash = new MultisetHash();
    expect(hash.toHex()).toBe('0'.repeat(64));
    hash.add(a);
    hash.add(a);
    expect(hash.count).toBe(2);
  });

  it('does not depend on the order of the documents', () => {
    expect(hashOf([a, b, c])).toBe(hashOf([c, a, b]));
    expect(hashOf([a, b, c])).toBe(referenceHex([a, b, c].map(digest)));
  });

  it.each([
    ['a duplicate does not cancel out (unlike XOR)', [a, a], [] as Uint8Array[]],
    ['a duplicate and a missing document do not hide each other', [a, a, c], [a, b, c]],
    ['the same value with another number type (Int32 1 vs Double 1.0)', [doc({ _id: 1, n: new Int32(1) })], [doc({ _id: 1, n: new Double(1) })]],
    ['the same fields in another order', [doc({ _id: 1, x: 1, y: 2 })], [doc({ _id: 1, y: 2, x: 1 })]],
  ])('differs when %s', (_name, left, right) => {
    expect(hashOf(left)).not.toBe(hashOf(right));
  });
});
