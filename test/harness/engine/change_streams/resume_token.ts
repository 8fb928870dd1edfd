import { deserialize, serialize, Timestamp, type Document } from 'bson';
import { CommandError } from '../../errors.js';
import { EXACT_DECODE } from '../../bson/raw_bson.js';

/**
 * What a resume token says: where in the oplog an event (or a high-water mark) is. Tokens compare in the order of
 * the stream: cluster time, then high-water marks before events of the same time, then the event's index inside a
 * transaction, then an invalidate after the event that caused it.
 */
export interface ResumeTokenData {
  clusterTime: Timestamp;
  /** A high-water mark: a position in the oplog with no event of its own (postBatchResumeToken while idle). */
  isHighWaterMark: boolean;
  /** Position of the event in its transaction's applyOps (0 outside transactions). */
  txnOpIndex: number;
  /** The invalidate event that follows a drop, rename or dropDatabase. */
  fromInvalidate: boolean;
  /** What the event is about (collection UUID, operation, documentKey or operationDescription). */
  eventIdentifier?: Document;
}

/** First byte of every token: mongod's tokens start with the KeyString type byte of a Timestamp (0x82) too. */
const TOKEN_PREFIX = 0x82;
const TOKEN_VERSION = 1;
const HEADER_BYTES = 1 + 8 + 1 + 1 + 4 + 1;

/**
 * Encodes a token as `{_data: <uppercase hex>}`. The format is ours (mongod's KeyString encoding is not needed),
 * but like mongod's the hex strings of two tokens compare as the positions they stand for.
 */
export function encodeResumeToken(data: ResumeTokenData): { _data: string } {
  const header = Buffer.alloc(HEADER_BYTES);
  let p = header.writeUInt8(TOKEN_PREFIX, 0);
  p = header.writeUInt32BE(data.clusterTime.high >>> 0, p);
  p = header.writeUInt32BE(data.clusterTime.low >>> 0, p);
  p = header.writeUInt8(TOKEN_VERSION, p);
  p = header.writeUInt8(data.isHighWaterMark ? 0 : 1, p);
  p = header.writeUInt32BE(data.txnOpIndex, p);
  header.writeUInt8(data.fromInvalidate ? 1 : 0, p);
  const parts = [header];
  if (!data.isHighWaterMark && data.eventIdentifier) parts.push(Buffer.from(serialize(data.eventIdentifier)));
  return { _data: Buffer.concat(parts).toString('hex').toUpperCase() };
}

/** A high-water-mark token at `clusterTime`. */
export function highWaterMarkToken(clusterTime: Timestamp): { _data: string } {
  return encodeResumeToken({ clusterTime, isHighWaterMark: true, txnOpIndex: 0, fromInvalidate: false });
}

/** Decodes a token given by a client; anything else than a token of ours is InvalidResumeToken (260). */
export function decodeResumeToken(token: unknown): ResumeTokenData {
  const data = (token as Document | null)?._data;
  if (token === null || typeof token !== 'object' || typeof data !== 'string') {
    throw invalidToken(`Resume token must be a document with a string '_data' field: ${JSON.stringify(token)}`);
  }
  if (!/^([0-9A-Fa-f]{2})+$/.test(data)) throw invalidToken(`resume token string was not a valid hex string: ${data}`);
  const bytes = Buffer.from(data, 'hex');
  if (bytes.length < HEADER_BYTES || bytes[0] !== TOKEN_PREFIX || bytes[9] !== TOKEN_VERSION) {
    throw invalidToken(`Failed to decode resume token: ${data}`);
  }
  const clusterTime = new Timestamp({ t: bytes.readUInt32BE(1), i: bytes.readUInt32BE(5) });
  const isHighWaterMark = bytes[10] === 0;
  const txnOpIndex = bytes.readUInt32BE(11);
  const fromInvalidate = bytes[15] === 1;
  let eventIdentifier: Document | undefined;
  if (bytes.length > HEADER_BYTES) {
    try {
      eventIdentifier = deserialize(bytes.subarray(HEADER_BYTES), EXACT_DECODE);
    } catch {
      throw invalidToken(`Failed to decode resume token: ${data}`);
    }
  }
  return { clusterTime, isHighWaterMark, txnOpIndex, fromInvalidate, eventIdentifier };
}

/** Compares two encoded tokens in stream order. */
export function compareTokens(a: { _data: string }, b: { _data: string }): number {
  const x = a._data.toUpperCase();
  const y = b._data.toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function invalidToken(message: string): CommandError {
  return new CommandError('InvalidResumeToken', message);
}
