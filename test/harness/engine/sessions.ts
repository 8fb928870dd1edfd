import { createHash } from 'node:crypto';
import { Binary, Long, type Document } from 'bson';
import { CommandError } from '../errors.js';
import type { Transaction } from './transactions.js';

/** mongod's localLogicalSessionTimeoutMinutes default, reported by hello as logicalSessionTimeoutMinutes. */
export const LOGICAL_SESSION_TIMEOUT_MINUTES = 30;

/**
 * The `uid` mongod puts in a session id: SHA-256 of the authenticated user's `user@db`, or of the empty string
 * without auth (src/mongo/db/logical_session_id_helpers.cpp, kNoAuthDigest).
 */
export function userDigest(user: { user: string; db: string } | undefined): Binary {
  const name = user ? `${user.user}@${user.db}` : '';
  return new Binary(createHash('sha256').update(name).digest(), 0);
}

/**
 * Checks a client's `lsid` (`{id: UUID}`) and returns the full session id mongod records: `{id, uid}`.
 * Throws as mongod's IDL parser does when `id` is missing or is not a UUID.
 */
export function makeLogicalSessionId(lsid: unknown, uid: Binary): Document {
  if (lsid === null || typeof lsid !== 'object' || Array.isArray(lsid)) {
    throw new CommandError('TypeMismatch', "BSON field 'OperationSessionInfo.lsid' is the wrong type, expected type 'object'");
  }
  const id = (lsid as Document).id;
  if (id === undefined) {
    throw new CommandError('IDLFailedToParse', "BSON field 'OperationSessionInfo.lsid.id' is missing but a required field", {}, 40414);
  }
  if (!(id instanceof Binary) || id.sub_type !== Binary.SUBTYPE_UUID || id.length() !== 16) {
    throw new CommandError('InvalidUUID', "BSON field 'OperationSessionInfo.lsid.id' must be a UUID", {}, 207);
  }
  const given = (lsid as Document).uid;
  return { id, uid: given instanceof Binary ? given : uid };
}

/** The map key of a session id. */
export function sessionKey(lsid: Document): string {
  const id = lsid.id as Binary;
  const uid = lsid.uid as Binary | undefined;
  return `${Buffer.from(id.buffer).toString('hex')}:${uid ? Buffer.from(uid.buffer).toString('hex') : ''}`;
}

/**
 * What one retryable write (one txnNumber without autocommit) has done on a session, as mongod keeps it in
 * config.transactions and the oplog: the reply of its first execution (returned again to a retry) and the optime
 * chain of its oplog entries.
 */
export interface RetryableWriteRecord {
  txnNumber: bigint;
  /** Reply of each statement-bearing command of this txnNumber, by command name. */
  replies: Map<string, Document>;
  /** Optime of the last oplog entry written under this txnNumber (the null optime before any). */
  prevOpTime: Document;
}

/** A logical session (mongod's LogicalSessionRecord plus its transaction participant state). */
export class LogicalSession {
  /** Highest txnNumber used on the session (-1 before any); older ones are refused with TransactionTooOld. */
  activeTxnNumber = -1n;
  /** The multi-document transaction of `activeTxnNumber`, when that number started one. */
  transaction: Transaction | undefined;
  /** The retryable write of `activeTxnNumber`, when that number is a retryable write. */
  retryableWrite: RetryableWriteRecord | undefined;
  /** Cursors opened in this session (killed by killSessions and endSessions). */
  readonly cursorIds = new Set<string>();
  /** Wall time of the last use in ms (refreshSessions and every command update it). */
  lastUseMs: number;

  constructor(readonly lsid: Document, nowMs: number) {
    this.lastUseMs = nowMs;
  }

  get key(): string {
    return sessionKey(this.lsid);
  }
}

/**
 * The server's session cache: sessions are created on first use (a command with `lsid`, or startSession), kept
 * while used, and expire `timeoutMinutes` after their last use (mongod's logical session cache reaper). Expiry
 * aborts a session's open transaction.
 */
export class SessionCatalog {
  private readonly sessions = new Map<string, LogicalSession>();
  /** When expired sessions were last looked for: checkOut reaps at most once a second, not on every command. */
  private lastReapMs = -Infinity;

  constructor(
    private readonly now: () => number = Date.now,
    readonly timeoutMinutes = LOGICAL_SESSION_TIMEOUT_MINUTES,
  ) {}

  /** Returns the session for a full session id (`{id, uid}`), creating it if needed, and marks it used. */
  checkOut(lsid: Document): LogicalSession {
    if (this.now() - this.lastReapMs >= 1_000) this.reapExpired();
    const key = sessionKey(lsid);
    let session = this.sessions.get(key);
    if (!session) {
      session = new LogicalSession(lsid, this.now());
      this.sessions.set(key, session);
    }
    session.lastUseMs = this.now();
    return session;
  }

  get(lsid: Document): LogicalSession | undefined {
    return this.sessions.get(sessionKey(lsid));
  }

  /** Marks sessions as used now (refreshSessions); unknown ones are created, as mongod's cache does. */
  refresh(lsids: Document[]): void {
    for (const lsid of lsids) this.checkOut(lsid);
  }

  /**
   * Ends sessions (endSessions, killSessions): aborts their open transactions and forgets them. Returns the
   * sessions removed so that the caller can kill their cursors.
   */
  end(lsids: Document[]): LogicalSession[] {
    const removed: LogicalSession[] = [];
    for (const lsid of lsids) {
      const session = this.sessions.get(sessionKey(lsid));
      if (!session) continue;
      session.transaction?.abort();
      this.sessions.delete(session.key);
      removed.push(session);
    }
    return removed;
  }

  /** Ends every session whose uid is one of `uids` (all sessions when `uids` is undefined): killAllSessions. */
  endWhere(predicate: (session: LogicalSession) => boolean): LogicalSession[] {
    return this.end([...this.sessions.values()].filter(predicate).map((s) => s.lsid));
  }

  /** Sessions not used for `timeoutMinutes` are removed and their transactions aborted. */
  reapExpired(): LogicalSession[] {
    this.lastReapMs = this.now();
    const limit = this.now() - this.timeoutMinutes * 60_000;
    return this.endWhere((s) => s.lastUseMs < limit);
  }

  /** All sessions, for white-box tests and $listLocalSessions-like diagnostics. */
  list(): LogicalSession[] {
    return [...this.sessions.values()];
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** A txnNumber as a bigint (drivers send int64; tests may send int32 or double). */
export function txnNumberOf(value: unknown): bigint {
  if (value instanceof Long) return value.toBigInt();
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (value && typeof value === 'object' && 'value' in value && typeof (value as { value: unknown }).value === 'number') {
    const n = (value as { value: number }).value;
    if (Number.isInteger(n)) return BigInt(n);
  }
  throw new CommandError('TypeMismatch', "BSON field 'OperationSessionInfo.txnNumber' is the wrong type, expected type 'long'");
}
