import { HEADER_SIZE, OP_CODES, OP_MSG_FLAGS } from './constants.js';
import { readHeader, writeHeader } from './message_header.js';
import { RawBson } from '../bson/raw_bson.js';

/** A decoded OP_MSG: its kind-0 body and its kind-1 document sequences, both as raw BSON. */
export interface OpMsgRequest {
  requestId: number;
  flags: number;
  body: Buffer;
  /** Document sequences by identifier (e.g. `documents` for insert), each document kept as raw bytes. */
  sequences: Map<string, RawBson[]>;
}

/** Thrown for a message that does not follow the OP_MSG layout; the listener closes the connection. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

export function decodeOpMsg(message: Buffer): OpMsgRequest {
  const header = readHeader(message);
  const flags = message.readUInt32LE(HEADER_SIZE);
  // Unknown required flag bits (0-15) must make the server reject the message, per the OP_MSG spec.
  if ((flags & 0xffff & ~(OP_MSG_FLAGS.checksumPresent | OP_MSG_FLAGS.moreToCome)) !== 0) {
    throw new ProtocolError(`unsupported OP_MSG flag bits ${flags}`);
  }
  const end = flags & OP_MSG_FLAGS.checksumPresent ? message.length - 4 : message.length;
  let pos = HEADER_SIZE + 4;
  let body: Buffer | undefined;
  const sequences = new Map<string, RawBson[]>();
  while (pos < end) {
    const kind = message[pos++];
    if (kind === 0) {
      if (body) throw new ProtocolError('OP_MSG has more than one body section');
      const size = message.readInt32LE(pos);
      if (size < 5 || pos + size > end) throw new ProtocolError('OP_MSG body overruns the message');
      body = message.subarray(pos, pos + size);
      pos += size;
    } else if (kind === 1) {
      const size = message.readInt32LE(pos);
      const sectionEnd = pos + size;
      if (size < 5 || sectionEnd > end) throw new ProtocolError('OP_MSG document sequence overruns the message');
      const idEnd = message.indexOf(0, pos + 4);
      if (idEnd < 0 || idEnd >= sectionEnd) throw new ProtocolError('OP_MSG document sequence has no identifier');
      const identifier = message.toString('utf8', pos + 4, idEnd);
      const docs: RawBson[] = [];
      let p = idEnd + 1;
      while (p < sectionEnd) {
        const docSize = message.readInt32LE(p);
        if (docSize < 5 || p + docSize > sectionEnd) throw new ProtocolError('OP_MSG sequence document overruns');
        docs.push(new RawBson(message.subarray(p, p + docSize)));
        p += docSize;
      }
      sequences.set(identifier, docs);
      pos = sectionEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG has no body section');
  return { requestId: header.requestId, flags, body, sequences };
}

export function encodeOpMsg(requestId: number, responseTo: number, body: Buffer, flags = 0): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + 4 + 1 + body.length);
  writeHeader(out, { messageLength: out.length, requestId, responseTo, opCode: OP_CODES.OP_MSG });
  out.writeUInt32LE(flags, HEADER_SIZE);
  out[HEADER_SIZE + 4] = 0;
  body.copy(out, HEADER_SIZE + 5);
  return out;
}
