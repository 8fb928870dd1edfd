import { Timestamp } from 'bson';
import {
  compareTokens, decodeResumeToken, encodeResumeToken, highWaterMarkToken, type ResumeTokenData,
} from '../../../../harness/engine/change_streams/resume_token.js';

function ts(t: number, i: number): Timestamp {
  return new Timestamp({ t, i });
}

function eventToken(t: number, i: number, txnOpIndex = 0, fromInvalidate = false): { _data: string } {
  return encodeResumeToken({
    clusterTime: ts(t, i), isHighWaterMark: false, txnOpIndex, fromInvalidate,
    eventIdentifier: { operationType: 'insert', documentKey: { _id: 1 } },
  });
}

describe('resume tokens', () => {
  it('round-trip every field', () => {
    const data: ResumeTokenData = {
      clusterTime: ts(1_700_000_000, 7), isHighWaterMark: false, txnOpIndex: 3, fromInvalidate: true,
      eventIdentifier: { operationType: 'drop' },
    };
    const token = encodeResumeToken(data);
    expect(token._data).toMatch(/^82[0-9A-F]+$/);
    expect(decodeResumeToken(token)).toEqual(data);
    expect(decodeResumeToken({ _data: token._data.toLowerCase() })).toEqual(data);
  });

  it('order as the stream: time, then high-water mark, then txnOpIndex, then invalidate', () => {
    const inOrder = [
      highWaterMarkToken(ts(100, 1)),
      eventToken(100, 1),
      eventToken(100, 1, 1),
      eventToken(100, 1, 1, true),
      highWaterMarkToken(ts(100, 2)),
      eventToken(100, 2),
      eventToken(101, 0),
      highWaterMarkToken(ts(2 ** 31 + 5, 1)),
    ];
    for (let k = 1; k < inOrder.length; k++) expect(compareTokens(inOrder[k - 1], inOrder[k])).toBeLessThan(0);
  });

  it.each([
    ['a string', 'abc'],
    ['a document without _data', { foo: 1 }],
    ['non-hex data', { _data: 'zz' }],
    ['a token of another format', { _data: '8200' }],
  ])('refuses %s with InvalidResumeToken (260)', (_name, token) => {
    expect(() => decodeResumeToken(token)).toThrow(expect.objectContaining({ code: 260, codeName: 'InvalidResumeToken' }));
  });
});
