import net from 'node:net';
import { deserialize, type Document } from 'bson';
import { MessageFramer } from './framing.js';
import { OP_CODES, OP_MSG_FLAGS } from './wire/constants.js';
import { readHeader } from './wire/message_header.js';
import { decodeOpMsg, encodeOpMsg, ProtocolError } from './wire/op_msg.js';
import { decodeOpQuery } from './wire/op_query.js';
import { encodeOpReply } from './wire/op_reply.js';
import { EXACT_DECODE, serializeWithRaw, type RawBson } from './bson/raw_bson.js';
import { ConnectionState } from './connection_state.js';
import { runCommand } from './router.js';
import { WritePath, type OperationContext } from './engine/write_path.js';
import type { ServerState } from './engine/server_state.js';
import type { CommandContext } from './command_context.js';
import { mayBypassWriteBlocking } from './auth/authorization.js';

/** A request as decoded from either opcode, before it becomes a CommandContext. */
interface DecodedRequest {
  requestId: number;
  body: Buffer;
  sequences: Map<string, RawBson[]>;
  /** Database for OP_QUERY (from `db.$cmd`); OP_MSG carries `$db` in the body. */
  legacyDb?: string;
  legacy: boolean;
  exhaustAllowed: boolean;
  moreToCome: boolean;
}

/**
 * Owns the TCP side: accepts connections, frames messages, decodes them, runs them one at a time per connection
 * (as mongod does) and writes the replies. Also the outage switch used by fault-injection tests.
 */
export class Listener {
  private readonly server: net.Server;
  private readonly sockets = new Map<net.Socket, ConnectionState>();
  private nextConnectionId = 1;
  private nextRequestId = 1;
  private refuseUntil = 0;
  readonly writes: WritePath;

  constructor(private readonly state: ServerState) {
    this.writes = new WritePath(state);
    this.server = net.createServer((socket) => this.accept(socket));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Drops every open connection and refuses new ones for `forMs` (an outage or failover as clients see it). */
  dropConnections(forMs = 0): void {
    this.refuseUntil = Date.now() + forMs;
    for (const socket of this.sockets.keys()) socket.destroy();
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets.keys()) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    if (Date.now() < this.refuseUntil) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const conn = new ConnectionState(this.nextConnectionId++, `${socket.remoteAddress}:${socket.remotePort}`);
    conn.closeConnection = () => socket.destroy();
    this.sockets.set(socket, conn);
    this.state.stats.connections.current++;
    this.state.stats.connections.totalCreated++;
    const framer = new MessageFramer();
    let queue: Promise<void> = Promise.resolve();
    socket.on('data', (chunk) => {
      let messages: Buffer[];
      try {
        messages = framer.push(chunk);
      } catch (error) {
        this.state.options.log(`closing connection ${conn.connectionId}: ${(error as Error).message}`);
        socket.destroy();
        return;
      }
      for (const message of messages) {
        queue = queue.then(() => this.handle(socket, conn, message)).catch((error) => {
          this.state.options.log(`closing connection ${conn.connectionId}: ${(error as Error).message}`);
          socket.destroy();
        });
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      conn.closed.abort();
      if (this.sockets.delete(socket)) this.state.stats.connections.current--;
    });
  }

  private async handle(socket: net.Socket, conn: ConnectionState, message: Buffer): Promise<void> {
    if (socket.destroyed) return;
    const request = decode(message);
    const body = deserialize(request.body, EXACT_DECODE);
    const commandName = Object.keys(body)[0];
    if (commandName === undefined) throw new ProtocolError('empty command document');
    const db = request.legacyDb ?? (typeof body.$db === 'string' ? body.$db : 'admin');
    if (body.internalClient !== undefined && ['hello', 'isMaster', 'ismaster'].includes(commandName)) conn.internalClient = true;
    const ctx: CommandContext = {
      server: this.state,
      writes: this.writes,
      conn,
      db,
      commandName,
      body,
      rawBody: request.body,
      sequences: request.sequences,
      op: this.operationContext(conn),
    };
    const reply = await runCommand(ctx);
    if (request.moreToCome || socket.destroyed) return; // unacknowledged write, or closed by a fail point: no reply
    const replyBytes = serializeWithRaw(reply);
    if (request.legacy) {
      socket.write(encodeOpReply(this.nextRequestId++, request.requestId, replyBytes));
      return;
    }
    // A streamed hello reply carries moreToCome from the first one on: drivers treat a stream reply without it as
    // the end of the stream and fail on the next one ("Server ended moreToCome unexpectedly").
    const streaming = request.exhaustAllowed && isAwaitableHello(commandName, body);
    socket.write(encodeOpMsg(this.nextRequestId++, request.requestId, replyBytes, streaming ? OP_MSG_FLAGS.moreToCome : 0));
    if (streaming) this.streamHello(socket, ctx, Number(body.maxAwaitTimeMS));
  }

  /**
   * The streaming protocol of server monitoring: after an awaitable hello with exhaustAllowed, the server sends a
   * new hello reply every maxAwaitTimeMS with moreToCome set, until the connection closes.
   */
  private streamHello(socket: net.Socket, ctx: CommandContext, maxAwaitTimeMs: number): void {
    let lastRequestId = this.nextRequestId - 1;
    const timer = setInterval(async () => {
      if (socket.destroyed) return clearInterval(timer);
      const reply = serializeWithRaw(await runCommand(ctx));
      const id = this.nextRequestId++;
      socket.write(encodeOpMsg(id, lastRequestId, reply, OP_MSG_FLAGS.moreToCome));
      lastRequestId = id;
    }, Math.max(100, maxAwaitTimeMs));
    socket.once('close', () => clearInterval(timer));
  }

  private operationContext(conn: ConnectionState): OperationContext {
    return { bypassWriteBlocking: mayBypassWriteBlocking(this.state, conn) };
  }
}

function isAwaitableHello(commandName: string, body: Document): boolean {
  return ['hello', 'isMaster', 'ismaster'].includes(commandName) && body.topologyVersion !== undefined && body.maxAwaitTimeMS !== undefined;
}

function decode(message: Buffer): DecodedRequest {
  const header = readHeader(message);
  if (header.opCode === OP_CODES.OP_MSG) {
    const msg = decodeOpMsg(message);
    return {
      requestId: msg.requestId,
      body: msg.body,
      sequences: msg.sequences,
      legacy: false,
      exhaustAllowed: (msg.flags & OP_MSG_FLAGS.exhaustAllowed) !== 0,
      moreToCome: (msg.flags & OP_MSG_FLAGS.moreToCome) !== 0,
    };
  }
  if (header.opCode === OP_CODES.OP_QUERY) {
    const q = decodeOpQuery(message);
    if (!q.fullCollectionName.endsWith('.$cmd')) throw new ProtocolError(`legacy OP_QUERY on ${q.fullCollectionName} is not supported`);
    let body = q.query;
    // The legacy handshake may wrap the command as {$query: {...}, $readPreference: ...}.
    const decoded = deserialize(body, EXACT_DECODE);
    if (decoded.$query) body = Buffer.from(serializeWithRaw(decoded.$query));
    return {
      requestId: q.requestId,
      body,
      sequences: new Map(),
      legacyDb: q.fullCollectionName.slice(0, -'.$cmd'.length),
      legacy: true,
      exhaustAllowed: false,
      moreToCome: false,
    };
  }
  throw new ProtocolError(`unsupported opCode ${header.opCode}`);
}
