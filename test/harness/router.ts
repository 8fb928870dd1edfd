import { Binary, Long, type Document } from 'bson';
import type { CommandContext, CommandDefinition, CommandReply } from './command_context.js';
import { CommandError } from './errors.js';
import { COMMANDS } from './commands/command_table.js';
import { authorizeCommand } from './auth/authorization.js';
import { CloseConnectionSignal, FailCommandError } from './engine/fail_points.js';
import { beginCommandSession, type CommandSession } from './engine/command_session.js';
import { errorLabelsFor } from './engine/transactions.js';
import { countOperation } from './commands/server_status.js';

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
  let session: CommandSession | undefined;
  let labelsOverride: string[] | undefined;
  const lastOpBeforeRun = ctx.server.clock.current();
  try {
    const def = findCommand(ctx.commandName);
    if (!def) {
      throw new CommandError('CommandNotFound', `no such command: '${ctx.commandName}'`);
    }
    if (ctx.server.authEnabled) authorizeCommand(ctx, def);
    if (def.supportsWriteConcern === false && ctx.body.writeConcern !== undefined) {
      throw new CommandError('InvalidOptions', 'Command does not support writeConcern');
    }
    countOperation(ctx);
    labelsOverride = (await ctx.server.failPoints.beforeCommand(ctx)).errorLabelsOverride;
    // Session checkout after the fail point, as on mongod: a failed first statement never starts its transaction.
    session = beginCommandSession(ctx);
    if (session.cachedReply) {
      reply = session.cachedReply;
    } else {
      reply = session.onReply(await def.run(ctx));
    }
    reply = ctx.server.failPoints.afterCommand(ctx, reply);
    if (reply.ok === undefined) reply = { ...reply, ok: 1 };
  } catch (error) {
    if (error instanceof CloseConnectionSignal) {
      ctx.conn.closeConnection();
      return { ok: 0, errmsg: error.message, code: 50985, codeName: 'Location50985' };
    }
    if (error instanceof FailCommandError) labelsOverride = error.errorLabelsOverride;
    session?.onError();
    reply = errorReply(error, ctx);
  }
  reply = withErrorLabels(reply, ctx, labelsOverride, lastOpBeforeRun.equals(ctx.server.clock.current()));
  return withClusterTime(reply, ctx);
}

/**
 * Adds the `errorLabels` mongod computes for a failed reply or one with a writeConcernError (TransientTransactionError,
 * RetryableWriteError, NoWritesPerformed), keeping labels a handler or fail point already set. A failCommand
 * `errorLabels` list replaces them all, as on mongod.
 */
function withErrorLabels(reply: Document, ctx: CommandContext, override: string[] | undefined, noWritesPerformed: boolean): Document {
  const failed = reply.ok === 0;
  const wcCode = reply.writeConcernError?.code;
  if (!failed && wcCode === undefined) return reply;
  if (override) return override.length ? { ...reply, errorLabels: override } : reply;
  const computed = errorLabelsFor({
    commandName: ctx.commandName,
    code: failed && typeof reply.code === 'number' ? reply.code : undefined,
    wcCode: wcCode === undefined ? undefined : Number(wcCode),
    hasTxnNumber: ctx.body.txnNumber !== undefined,
    hasAutocommit: ctx.body.autocommit !== undefined,
    noWritesPerformed,
  });
  const existing: string[] = Array.isArray(reply.errorLabels) ? reply.errorLabels : [];
  const labels = [...new Set([...existing, ...computed])];
  return labels.length ? { ...reply, errorLabels: labels } : reply;
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
