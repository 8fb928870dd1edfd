import { Int32, Long, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { assertAdminDb } from './admin_only.js';

/**
 * currentOp (admin): commands run one at a time per connection and complete synchronously apart from awaiting
 * cursors, so the only active operation is this one; idle sessions with open transactions are listed as mongod
 * lists them with `idleSessions` (the default).
 */
export const currentOp: CommandDefinition = {
  run(ctx: CommandContext): Document {
    assertAdminDb(ctx);
    const inprog: Document[] = [{
      type: 'op',
      host: ctx.server.me,
      desc: `conn${ctx.conn.connectionId}`,
      connectionId: new Int32(ctx.conn.connectionId),
      client: ctx.conn.remoteAddress,
      active: true,
      currentOpTime: new Date().toISOString(),
      opid: new Int32(ctx.conn.connectionId),
      op: 'command',
      ns: 'admin.$cmd.aggregate',
      command: { currentOp: 1, $db: 'admin' },
    }];
    if (ctx.body.idleSessions !== false) {
      for (const session of ctx.server.sessions.list()) {
        const txn = session.transaction;
        if (!txn?.isOpen) continue;
        inprog.push({
          type: 'idleSession',
          host: ctx.server.me,
          active: false,
          lsid: session.lsid,
          transaction: {
            parameters: { txnNumber: Long.fromBigInt(txn.txnNumber), autocommit: false },
            timeOpenMicros: Long.fromNumber((Date.now() - txn.startedAtMs) * 1000),
          },
        });
      }
    }
    return { inprog };
  },
};
