import type { Document } from 'bson';
import type { ServerState } from './engine/server_state.js';
import type { ConnectionState } from './connection_state.js';
import type { RawBson } from './bson/raw_bson.js';
import type { OperationContext, WritePath } from './engine/write_path.js';

/** What a command handler receives: the parsed request, the connection it came on and the server's state. */
export interface CommandContext {
  readonly server: ServerState;
  readonly writes: WritePath;
  readonly conn: ConnectionState;
  /** The command's database (`$db`). */
  readonly db: string;
  /** The command name as sent (first key of the body). */
  readonly commandName: string;
  /** The body decoded with exact types (Int32 stays Int32, ...). */
  readonly body: Document;
  /** The body's exact bytes, for handlers that must keep user documents byte for byte. */
  readonly rawBody: Buffer;
  /** OP_MSG kind-1 document sequences by identifier (`documents`, `updates`, `deletes`). */
  readonly sequences: Map<string, RawBson[]>;
  /** How writes of this command are made: bypass rights, session and transaction. */
  readonly op: OperationContext;
}

/** A command's reply fields; `ok: 1` is added when absent. Values may be RawBson to return exact bytes. */
export type CommandReply = Document;

/** One entry of the command table. */
export interface CommandDefinition {
  run(ctx: CommandContext): Promise<CommandReply> | CommandReply;
  /**
   * False for commands allowed before authentication (hello, saslStart, ...). Default true. What an authenticated
   * user needs for the others is decided centrally by auth/command_requirements.ts.
   */
  requiresAuth?: boolean;
  /**
   * False for commands that take no writeConcern: one given is refused with InvalidOptions "Command does not support
   * writeConcern", as mongod's service entry point does. Default true (commands that do not say are lenient).
   */
  supportsWriteConcern?: boolean;
  /**
   * @deprecated Ignored: the router calls auth/authorization.ts `authorizeCommand` for every command, with
   * mongod's privilege rules (auth/command_requirements.ts). Kept only so that older definitions still compile.
   */
  authorize?(ctx: CommandContext): void;
}
