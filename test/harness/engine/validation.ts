import { deserialize, type Document } from 'bson';
import type { Collection } from './collection.js';
import type { StoredDocument } from './stored_document.js';
import type { OperationContext } from './write_path.js';
import { EXACT_DECODE } from '../bson/raw_bson.js';
import { CommandError } from '../errors.js';
import { compileFilter, type DocumentPredicate } from './query/filter.js';

/** Compiled validators by their validator document, so that each write does not recompile it. */
const compiled = new WeakMap<Document, DocumentPredicate>();

function validatorOf(coll: Collection): DocumentPredicate | undefined {
  const validator = coll.options.validator as Document | undefined;
  if (!validator || Object.keys(validator).length === 0) return undefined;
  let predicate = compiled.get(validator);
  if (!predicate) {
    predicate = compileFilter(validator);
    compiled.set(validator, predicate);
  }
  return predicate;
}

/**
 * Checks that a validator can be stored (create, collMod): it compiles as a filter. Throws the filter's error.
 */
export function assertValidValidator(validator: unknown): void {
  if (validator === null || typeof validator !== 'object' || Array.isArray(validator)) {
    throw new CommandError('TypeMismatch', "BSON field 'validator' is the wrong type, expected type 'object'");
  }
  compileFilter(validator as Document);
}

/**
 * Applies the collection's validator to a document about to be written, as mongod's
 * CollectionImpl::checkValidation does: validationLevel `off` skips it; `moderate` skips updates of documents that
 * did not match before; a failure with validationAction `error` throws DocumentValidationFailure (121) with
 * `errInfo: {failingDocumentId, details}`, with `warn` the write goes through (mongod only logs). Writes with
 * bypassDocumentValidation skip it.
 *
 * `details` is a reduced form of mongod's doc_validation_error explanation: the failing top-level operator and,
 * for `$jsonSchema`, no per-rule breakdown.
 */
export function validateDocument(coll: Collection, raw: Buffer, old: StoredDocument | undefined, op: OperationContext): void {
  if (op.bypassDocumentValidation) return;
  const predicate = validatorOf(coll);
  if (!predicate) return;
  const level = coll.options.validationLevel ?? 'strict';
  if (level === 'off') return;
  if (level === 'moderate' && old && !predicate(old.doc)) return;
  const doc = deserialize(raw, EXACT_DECODE);
  if (predicate(doc)) return;
  if ((coll.options.validationAction ?? 'error') === 'warn') return;
  throw new CommandError('DocumentValidationFailure', 'Document failed validation', {
    errInfo: { failingDocumentId: doc._id, details: failureDetails(coll.options.validator as Document, doc) },
  });
}

/** The explanation of which part of the validator failed, in mongod's `details` vocabulary. */
export function failureDetails(validator: Document, doc: Document): Document {
  const entries = Object.entries(validator);
  if (entries.length === 1 && entries[0][0] === '$jsonSchema') {
    return { operatorName: '$jsonSchema', schemaRulesNotSatisfied: [] };
  }
  const clauses = entries.map(([k, v]) => ({ [k]: v }));
  const failing = clauses.map((clause, index) => ({ clause, index })).filter(({ clause }) => !compileFilter(clause)(doc));
  if (clauses.length === 1) return clauseDetails(clauses[0], doc);
  return {
    operatorName: '$and',
    clausesNotSatisfied: failing.map(({ clause, index }) => ({ index, details: clauseDetails(clause, doc) })),
  };
}

function clauseDetails(clause: Document, doc: Document): Document {
  const [field, cond] = Object.entries(clause)[0];
  if (field.startsWith('$')) return { operatorName: field, specifiedAs: clause };
  const isOperator = cond !== null && typeof cond === 'object' && !Array.isArray(cond) && Object.keys(cond as Document)[0]?.startsWith('$');
  const operatorName = isOperator ? Object.keys(cond as Document)[0] : '$eq';
  const considered = doc[field];
  return {
    operatorName,
    specifiedAs: clause,
    reason: considered === undefined ? 'field was missing' : 'comparison failed',
    ...(considered === undefined ? {} : { consideredValue: considered }),
  };
}
