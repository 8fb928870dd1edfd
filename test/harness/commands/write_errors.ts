import type { Document } from 'bson';
import type { CommandError } from '../errors.js';

/** One entry of a write command's `writeErrors`: index, code, errmsg and the error's extra fields (keyPattern...). */
export function writeErrorEntry(index: number, error: CommandError): Document {
  const { ok: _ok, codeName: _codeName, errmsg, code, ...extra } = error.toReplyFields();
  return { index, code, ...extra, errmsg };
}
