import type { Collection } from './collection.js';
import type { StoredDocument } from './stored_document.js';
import type { OperationContext } from './write_path.js';

/**
 * Applies the collection's validator (validationLevel strict/moderate, validationAction error/warn) to a document
 * about to be written; throws DocumentValidationFailure (121) unless the operation bypasses validation.
 * Provisional: accepts everything until the catalog module implements validators.
 */
export function validateDocument(_coll: Collection, _raw: Buffer, _old: StoredDocument | undefined, _op: OperationContext): void {}
