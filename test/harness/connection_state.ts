import type { Document } from 'bson';

/** A user authenticated on a connection, with the roles resolved at authentication time. */
export interface AuthenticatedUser {
  user: string;
  db: string;
  roles: { role: string; db: string }[];
}

/** Per-connection state: identity, authentication, and the client's handshake metadata. */
export class ConnectionState {
  /** Users authenticated on this connection (mongod allows several, one per database). */
  readonly users: AuthenticatedUser[] = [];
  /** SASL conversations in progress, by conversationId; their shape belongs to the auth module. */
  readonly saslConversations = new Map<number, unknown>();
  clientMetadata: Document | undefined;
  /** Set once the connection is closing; long-running handlers check it to stop waiting. */
  readonly closed = new AbortController();
  /** The handshake said `internalClient` (a mongod or mongos): failCommand spares it unless failInternalCommands. */
  internalClient = false;
  /** Closes the socket without a reply (failCommand's closeConnection); wired by the listener. */
  closeConnection: () => void = () => {};

  constructor(readonly connectionId: number, readonly remoteAddress: string) {}
}
