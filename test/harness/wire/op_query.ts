import { HEADER_SIZE } from './constants.js';
import { readHeader } from './message_header.js';
import { ProtocolError } from './op_msg.js';

/** A decoded legacy OP_QUERY; only the handshake (`admin.$cmd` hello/isMaster) is served through it. */
export interface OpQueryRequest {
  requestId: number;
  flags: number;
  fullCollectionName: string;
  numberToSkip: number;
  numberToReturn: number;
  query: Buffer;
}

export function decodeOpQuery(message: Buffer): OpQueryRequest {
  const header = readHeader(message);
  const flags = message.readInt32LE(HEADER_SIZE);
  const nameEnd = message.indexOf(0, HEADER_SIZE + 4);
  if (nameEnd < 0) throw new ProtocolError('OP_QUERY has no collection name');
  const fullCollectionName = message.toString('utf8', HEADER_SIZE + 4, nameEnd);
  const numberToSkip = message.readInt32LE(nameEnd + 1);
  const numberToReturn = message.readInt32LE(nameEnd + 5);
  const qStart = nameEnd + 9;
  const qSize = message.readInt32LE(qStart);
  if (qSize < 5 || qStart + qSize > message.length) throw new ProtocolError('OP_QUERY document overruns');
  return {
    requestId: header.requestId,
    flags,
    fullCollectionName,
    numberToSkip,
    numberToReturn,
    query: message.subarray(qStart, qStart + qSize),
  };
}
