/**
 * How exact BSON is decoded everywhere in the tool: the driver's and bson's options that keep every value's type.
 */

/** Driver/bson decoding options that keep every value's BSON type. */
export const EXACT_BSON_OPTIONS = Object.freeze({
  promoteValues: false,
  promoteLongs: false,
  promoteBuffers: false,
  bsonRegExp: true,
  useBigInt64: false,
} as const);
