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
  ConflictingUpdateOperators: 40,
  ConversionFailure: 241,
  CursorKilled: 237,
  CursorNotFound: 43,
  DocumentValidationFailure: 121,
  DollarPrefixedFieldName: 52,
  DuplicateKey: 11000,
  ElectionInProgress: 216,
  EmptyFieldName: 56,
  ExceededTimeLimit: 262,
  FailedToParse: 9,
  FailedToSatisfyReadPreference: 133,
  FailPointSetFailed: 266,
  GraphContainsCycle: 5,
  HostNotFound: 7,
  HostUnreachable: 6,
  IDLFailedToParse: 40414,
  IDLUnknownField: 40415,
  IllegalOperation: 20,
  ImmutableField: 66,
  IncompleteTransactionHistory: 217,
  IndexKeySpecsConflict: 86,
  IndexNotFound: 27,
  IndexOptionsConflict: 85,
  InternalError: 1,
  Interrupted: 11601,
  InterruptedAtShutdown: 11600,
  InterruptedDueToReplStateChange: 11602,
  InvalidIndexSpecificationOption: 197,
  InvalidLength: 16,
  InvalidNamespace: 73,
  InvalidOptions: 72,
  InvalidPipelineOperator: 168,
  InvalidResumeToken: 260,
  InvalidUUID: 207,
  InvalidViewDefinition: 182,
  LegacyNotPrimary: 10058,
  LockTimeout: 24,
  MaxTimeMSExpired: 50,
  MechanismUnavailable: 334,
  MergeStageNoMatchingDocument: 13113,
  NamespaceExists: 48,
  NamespaceNotFound: 26,
  NetworkTimeout: 89,
  NoMatchingDocument: 47,
  NoReplicationEnabled: 76,
  NoSuchKey: 4,
  NoSuchSession: 206,
  NoSuchTransaction: 251,
  NotARetryableWriteCommand: 50768,
  NotSingleValueField: 54,
  NotPrimaryNoSecondaryOk: 13435,
  NotPrimaryOrSecondary: 13436,
  NotWritablePrimary: 10107,
  OBSOLETE_StaleShardVersion: 63,
  OperationFailed: 96,
  OperationNotSupportedInTransaction: 263,
  OptionNotSupportedOnView: 167,
  Overflow: 15,
  PathNotViable: 28,
  PrimarySteppedDown: 189,
  ProtocolError: 17,
  ReadConcernMajorityNotAvailableYet: 134,
  RetryChangeStream: 234,
  RoleNotFound: 31,
  ShutdownInProgress: 91,
  SocketException: 9001,
  StaleClusterTime: 209,
  StaleConfig: 13388,
  StaleEpoch: 150,
  TransactionCommitted: 256,
  TransactionTooOld: 225,
  TypeMismatch: 14,
  Unauthorized: 13,
  UnknownError: 8,
  UnsatisfiableWriteConcern: 100,
  UserNotFound: 11,
  UserWritesBlocked: 371,
  ViewDepthLimitExceeded: 165,
  WriteConcernTimeout: 64,
  WriteConflict: 112,
} as const);

export type ErrorCodeName = keyof typeof ERROR_CODES;

const NAME_OF_CODE: ReadonlyMap<number, string> = new Map(Object.entries(ERROR_CODES).map(([name, code]) => [code, name]));
const LOCATION_NAME = /^Location(\d+)$/;

/**
 * The codeName mongod replies with for a code: its name in error_codes.yml, `Location<code>` for the numeric
 * assertion ids that have none (mongod's ErrorCodes::errorString).
 */
export function codeNameOf(code: number): string {
  return NAME_OF_CODE.get(code) ?? `Location${code}`;
}

/** The code of a codeName: its value in ERROR_CODES, the number of a `Location<code>` name, else UnknownError. */
function codeOfName(codeName: string): number {
  const named = (ERROR_CODES as Record<string, number>)[codeName];
  if (named !== undefined) return named;
  const location = LOCATION_NAME.exec(codeName);
  return location ? Number(location[1]) : ERROR_CODES.UnknownError;
}

/**
 * An error a command handler throws to answer `{ok: 0, errmsg, code, codeName}` as mongod would.
 * `extra` fields (e.g. keyPattern/keyValue of E11000, errorLabels) are copied into the reply.
 * When `code` is given it decides the codeName (through {@link codeNameOf}), as on mongod where the name is a
 * property of the code: the `codeName` argument then only documents the call site.
 */
export class CommandError extends Error {
  override name = 'CommandError';
  readonly code: number;
  readonly codeName: string;

  constructor(codeName: ErrorCodeName | string, message: string, readonly extra: Document = {}, code?: number) {
    super(message);
    this.code = code ?? codeOfName(codeName);
    this.codeName = codeNameOf(this.code);
  }

  /** An error known by its numeric code (a uassert location id or an error_codes.yml value). */
  static fromCode(code: number, message: string, extra: Document = {}): CommandError {
    return new CommandError(codeNameOf(code), message, extra, code);
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
