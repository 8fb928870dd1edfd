import type { Document } from 'bson';

/**
 * mongod's error codes and codeNames (src/mongo/base/error_codes.yml) used by the embedded server.
 * Keep the table alphabetical by name; add entries from error_codes.yml, never invent codes.
 */
export const ERROR_CODES = Object.freeze({
  AmbiguousIndexKeyPattern: 181,
  AuthenticationFailed: 18,
  BadValue: 2,
  BSONObjectTooLarge: 10334,
  CannotConvertIndexToUnique: 359,
  CannotCreateIndex: 67,
  CannotIndexParallelArrays: 171,
  CappedPositionLost: 136,
  ChangeStreamFatalError: 280,
  ChangeStreamHistoryLost: 286,
  CommandFailed: 125,
  CommandNotFound: 59,
  CommandNotSupportedOnView: 166,
  ConflictingOperationInProgress: 117,
  CursorNotFound: 43,
  DocumentValidationFailure: 121,
  DuplicateKey: 11000,
  FailedToParse: 9,
  FailPointSetFailed: 266,
  GraphContainsCycle: 5,
  HostUnreachable: 6,
  IllegalOperation: 20,
  IDLFailedToParse: 40414,
  ImmutableField: 66,
  IncompleteTransactionHistory: 217,
  IndexKeySpecsConflict: 86,
  IndexNotFound: 27,
  IndexOptionsConflict: 85,
  InternalError: 1,
  InvalidIndexSpecificationOption: 197,
  InvalidNamespace: 73,
  InvalidOptions: 72,
  InvalidPipelineOperator: 168,
  InvalidResumeToken: 260,
  InvalidUUID: 207,
  InvalidViewDefinition: 182,
  Location16436: 16436,
  MaxTimeMSExpired: 50,
  MechanismUnavailable: 334,
  NamespaceExists: 48,
  NamespaceNotFound: 26,
  NoSuchSession: 206,
  NoSuchTransaction: 251,
  NotARetryableWriteCommand: 50768,
  NotWritablePrimary: 10107,
  OperationFailed: 96,
  OptionNotSupportedOnView: 167,
  OperationNotSupportedInTransaction: 263,
  ProtocolError: 17,
  RoleNotFound: 31,
  TransactionCommitted: 256,
  TransactionTooOld: 225,
  TypeMismatch: 14,
  Unauthorized: 13,
  UnknownError: 8,
  UserNotFound: 11,
  UserWritesBlocked: 371,
  Location51024: 51024,
  WriteConflict: 112,
} as const);

export type ErrorCodeName = keyof typeof ERROR_CODES;

/**
 * An error a command handler throws to answer `{ok: 0, errmsg, code, codeName}` as mongod would.
 * `extra` fields (e.g. keyPattern/keyValue of E11000, errorLabels) are copied into the reply.
 */
export class CommandError extends Error {
  override name = 'CommandError';
  readonly code: number;

  constructor(
    readonly codeName: ErrorCodeName | string,
    message: string,
    readonly extra: Document = {},
    code?: number,
  ) {
    super(message);
    this.code = code ?? (ERROR_CODES as Record<string, number>)[codeName] ?? ERROR_CODES.UnknownError;
  }

  /** The `{ok: 0}` reply fields of this error. */
  toReplyFields(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
}

/** Shorthand for the most common error: bad arguments to a command. */
export function badValue(message: string): CommandError {
  return new CommandError('BadValue', message);
}

export function typeMismatch(message: string): CommandError {
  return new CommandError('TypeMismatch', message);
}
