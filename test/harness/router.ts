import { Binary, Long, type Document } from 'bson';
import type { CommandContext, CommandDefinition, CommandReply } from './command_context.js';
import { CommandError } from './errors.js';
import { COMMANDS } from './commands/command_table.js';

/** Commands whose names are matched case-insensitively by mongod's legacy aliases. */
const ALIASES: Readonly<Record<string, string>> = Object.freeze({ ismaster: 'isMaster' });

/** Looks a command up by its name (the first key of the body). */
export function findCommand(name: string): CommandDefinition | undefined {
  return COMMANDS[ALIASES[name] ?? name] ?? COMMANDS[name];
}

/**
 * Runs one command: checks authentication and authorization, calls its handler and completes the reply with
 * `ok`, `$clusterTime` and `operationTime`. Never throws: every failure becomes an `{ok: 0}` reply.
 */
export async function runCommand(ctx: CommandContext): Promise<Document> {
  let reply: CommandReply;
  try {
    const def = findCommand(ctx.commandName);
    if (!def) {
      throw new CommandError('CommandNotFound', `no such command: '${ctx.commandName}'`);
    }
    if (def.requiresAuth !== false && ctx.server.authEnabled && ctx.conn.users.length === 0) {
      throw new CommandError('Unauthorized', `Command ${ctx.commandName} requires authentication`);
    }
    if (ctx.server.authEnabled) def.authorize?.(ctx);
    await ctx.server.failPoints.beforeCommand(ctx);
    reply = await def.run(ctx);
    reply = ctx.server.failPoints.afterCommand(ctx, reply);
    if (reply.ok === undefined) reply = { ...reply, ok: 1 };
  } catch (error) {
    reply = errorReply(error, ctx);
  }
  return withClusterTime(reply, ctx);
}

/** Turns any error into mongod's `{ok: 0, errmsg, code, codeName}`; unexpected ones become InternalError. */
export function errorReply(error: unknown, ctx: CommandContext): Document {
  if (error instanceof CommandError) return error.toReplyFields();
  ctx.server.options.log(`internal error in ${ctx.commandName}: ${(error as Error)?.stack ?? String(error)}`);
  return new CommandError('InternalError', `internal error in command ${ctx.commandName}: ${(error as Error)?.message ?? String(error)}`).toReplyFields();
}

const ZERO_SIGNATURE = Object.freeze({ hash: new Binary(Buffer.alloc(20)), keyId: Long.fromNumber(0) });

function withClusterTime(reply: Document, ctx: CommandContext): Document {
  const now = ctx.server.clock.current();
  return { ...reply, $clusterTime: { clusterTime: now, signature: ZERO_SIGNATURE }, operationTime: now };
}
