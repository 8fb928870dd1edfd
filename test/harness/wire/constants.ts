/** Wire protocol opcodes, as in the MongoDB Wire Protocol reference. */
export const OP_CODES = Object.freeze({
  OP_REPLY: 1,
  OP_QUERY: 2004,
  OP_COMPRESSED: 2012,
  OP_MSG: 2013,
} as const);

/** OP_MSG flag bits. */
export const OP_MSG_FLAGS = Object.freeze({
  checksumPresent: 1 << 0,
  moreToCome: 1 << 1,
  exhaustAllowed: 1 << 16,
} as const);

/** mongod's limits, advertised in hello and enforced by the framing. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;
export const MAX_WRITE_BATCH_SIZE = 100_000;

/** Size of the standard message header (messageLength, requestID, responseTo, opCode). */
export const HEADER_SIZE = 16;
