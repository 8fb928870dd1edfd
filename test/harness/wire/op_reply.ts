import { HEADER_SIZE, OP_CODES } from './constants.js';
import { writeHeader } from './message_header.js';

/** Encodes an OP_REPLY carrying one document, the answer to a legacy OP_QUERY handshake. */
export function encodeOpReply(requestId: number, responseTo: number, document: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + 20 + document.length);
  writeHeader(out, { messageLength: out.length, requestId, responseTo, opCode: OP_CODES.OP_REPLY });
  out.writeInt32LE(0, HEADER_SIZE); // responseFlags
  out.writeBigInt64LE(0n, HEADER_SIZE + 4); // cursorID
  out.writeInt32LE(0, HEADER_SIZE + 12); // startingFrom
  out.writeInt32LE(1, HEADER_SIZE + 16); // numberReturned
  document.copy(out, HEADER_SIZE + 20);
  return out;
}
