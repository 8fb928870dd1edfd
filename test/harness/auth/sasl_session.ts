import { Binary, Int32, type Document } from 'bson';
import type { ServerState } from '../engine/server_state.js';
import type { ConnectionState } from '../connection_state.js';
import { CommandError } from '../errors.js';
import { isScramMechanism, parseClientFirst, ScramServerConversation, type ScramMechanism } from './scram.js';
import { findUser, userDisplayName } from './user_store.js';

/**
 * mongod answers every failed SASL step with this one status, whatever went wrong (unknown user, wrong password,
 * malformed message), so that a client learns nothing about which users exist (sasl_commands.cpp doSaslStep).
 */
function authenticationFailed(): CommandError {
  return new CommandError('AuthenticationFailed', 'Authentication failed.');
}

/** mongod uses one conversation per connection, always number 1. */
const CONVERSATION_ID = 1;

/** A SASL conversation in progress on a connection (kept in ConnectionState.saslConversations). */
interface SaslConversation {
  mechanism: ScramMechanism;
  db: string;
  user: string;
  scram: ScramServerConversation;
  /** 'final' waits for client-final; 'empty' waits for the empty message that ends the exchange. */
  awaiting: 'final' | 'empty';
  skipEmptyExchange: boolean;
  /** The client sent the payload as a base64 string rather than BinData: answer in kind. */
  base64Payload: boolean;
}

function payloadText(payload: unknown): { text: string; base64: boolean } {
  if (payload instanceof Binary) return { text: Buffer.from(payload.buffer.subarray(0, payload.position)).toString('utf8'), base64: false };
  if (typeof payload === 'string') return { text: Buffer.from(payload, 'base64').toString('utf8'), base64: true };
  throw new CommandError('TypeMismatch', "BSON field 'payload' is the wrong type, expected types '[string, binData]'");
}

function replyPayload(text: string, base64: boolean): Binary | string {
  return base64 ? Buffer.from(text, 'utf8').toString('base64') : new Binary(Buffer.from(text, 'utf8'));
}

/**
 * Logs the user in on the connection. mongod 7.0 allows one user per connection: the same user again is accepted,
 * another one is refused (AuthorizationSessionImpl::addAndAuthorizeUser).
 */
function addAuthenticatedUser(state: ServerState, conn: ConnectionState, db: string, user: string): void {
  const stored = findUser(state, db, user);
  if (!stored) throw authenticationFailed();
  const previous = conn.users[0];
  if (previous) {
    if (previous.user === user && previous.db === db) return;
    const name = userDisplayName(previous.db, previous.user);
    if (previous.db === db) {
      throw new CommandError('Location5626701', `Each client connection may only be authenticated once. Previously authenticated as: ${name}`, {}, 5626701);
    }
    throw new CommandError('Location5626702', `Client has attempted to authenticate on multiple databases.Already authenticated as: ${name}`, {}, 5626702);
  }
  conn.users.push({ user, db, roles: stored.roles.map((r) => ({ ...r })) });
}

/**
 * saslStart (also run from hello's speculativeAuthenticate): checks the mechanism, reads client-first, looks the
 * user up and answers server-first. Replaces any conversation in progress, as mongod does.
 */
export function saslStart(state: ServerState, conn: ConnectionState, db: string, body: Document): Document {
  conn.saslConversations.delete(CONVERSATION_ID);
  const mechanism = body.mechanism;
  if (typeof mechanism !== 'string') {
    throw new CommandError('IDLFailedToParse', "BSON field 'saslStart.mechanism' is missing but a required field", {}, 40414);
  }
  if (!isScramMechanism(mechanism)) {
    throw new CommandError('MechanismUnavailable', `Received authentication for mechanism ${mechanism} which is not enabled`);
  }
  const { text, base64 } = payloadText(body.payload);
  let conversation: SaslConversation;
  let serverFirst: string;
  try {
    const clientFirst = parseClientFirst(text);
    const user = findUser(state, db, clientFirst.user);
    const credential = user?.credentials[mechanism];
    if (!user || !credential) throw authenticationFailed();
    const scram = new ScramServerConversation(mechanism, credential);
    serverFirst = scram.first(clientFirst);
    const options = (body.options ?? {}) as Document;
    conversation = { mechanism, db, user: user.user, scram, awaiting: 'final', skipEmptyExchange: options.skipEmptyExchange === true, base64Payload: base64 };
  } catch {
    throw authenticationFailed();
  }
  conn.saslConversations.set(CONVERSATION_ID, conversation);
  return { conversationId: new Int32(CONVERSATION_ID), done: false, payload: replyPayload(serverFirst, base64) };
}

/** saslContinue: checks the client proof (then logs the user in) or ends the exchange after the server signature. */
export function saslContinue(state: ServerState, conn: ConnectionState, body: Document): Document {
  if (Number(body.conversationId) !== CONVERSATION_ID) throw new CommandError('ProtocolError', 'sasl: Mismatched conversation id');
  const conversation = conn.saslConversations.get(CONVERSATION_ID) as SaslConversation | undefined;
  if (!conversation) throw new CommandError('ProtocolError', 'No SASL session state found');
  const { text } = payloadText(body.payload);
  const reply = (done: boolean, payload: string): Document => ({
    conversationId: new Int32(CONVERSATION_ID),
    done,
    payload: replyPayload(payload, conversation.base64Payload),
  });
  if (conversation.awaiting === 'empty') {
    conn.saslConversations.delete(CONVERSATION_ID);
    if (text !== '') throw authenticationFailed();
    addAuthenticatedUser(state, conn, conversation.db, conversation.user);
    return reply(true, '');
  }
  let serverFinal: string;
  try {
    serverFinal = conversation.scram.final(text);
  } catch {
    conn.saslConversations.delete(CONVERSATION_ID);
    throw authenticationFailed();
  }
  if (conversation.skipEmptyExchange) {
    conn.saslConversations.delete(CONVERSATION_ID);
    addAuthenticatedUser(state, conn, conversation.db, conversation.user);
    return reply(true, serverFinal);
  }
  conversation.awaiting = 'empty';
  return reply(false, serverFinal);
}

/**
 * hello's speculativeAuthenticate: a saslStart carried inside the handshake with its database in `db`. Any failure
 * leaves the field out of the reply, as mongod does, and the client then runs the full conversation.
 */
export function speculativeSaslStart(state: ServerState, conn: ConnectionState, request: unknown): Document | undefined {
  if (!request || typeof request !== 'object') return undefined;
  const body = request as Document;
  if (typeof body.db !== 'string' || body.saslStart === undefined) return undefined;
  try {
    return saslStart(state, conn, body.db, body);
  } catch {
    return undefined;
  }
}

/** hello's `saslSupportedMechs: "<db>.<user>"`: the mechanisms that user has credentials for; undefined if unknown. */
export function supportedMechanisms(state: ServerState, name: unknown): ScramMechanism[] | undefined {
  if (typeof name !== 'string') return undefined;
  const dot = name.indexOf('.');
  if (dot <= 0) return undefined;
  const user = findUser(state, name.slice(0, dot), name.slice(dot + 1));
  if (!user) return undefined;
  return (['SCRAM-SHA-1', 'SCRAM-SHA-256'] as const).filter((m) => user.credentials[m] !== undefined);
}
