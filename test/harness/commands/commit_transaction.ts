import { Long, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { assertAdminDb } from './admin_only.js';
import { nullOpTime, packApplyOps, TXN_STATES } from '../engine/transactions.js';

/**
 * commitTransaction (admin): writes the transaction's operations as mongod 7.0 logs an unprepared transaction —
 * `{op: 'c', ns: 'admin.$cmd', o: {applyOps: [...]}, lsid, txnNumber, prevOpTime}` (several entries chained by
 * prevOpTime with `partialTxn` when they exceed 16 MB), nothing for a transaction that wrote nothing. Committing an
 * already committed transaction again answers ok, so that drivers can retry commit.
 */
export const commitTransaction: CommandDefinition = {
  run(ctx: CommandContext): Document {
    assertAdminDb(ctx);
    const txn = ctx.op.transaction;
    if (!txn) throw new CommandError('CommandFailed', 'commitTransaction must be run within a transaction');
    if (txn.state === TXN_STATES.committed) return {};
    const { oplog, notifier } = ctx.server;
    let prevOpTime = nullOpTime();
    const namespaces = new Set<string>(txn.operations.map((op) => String(op.ns)));
    for (const o of packApplyOps(txn.operations)) {
      const stored = oplog.append({ op: 'c', ns: 'admin.$cmd', o, lsid: txn.lsid, txnNumber: Long.fromBigInt(txn.txnNumber), prevOpTime });
      prevOpTime = { ts: stored.field('ts'), t: stored.field('t') };
    }
    txn.markCommitted();
    for (const ns of namespaces) notifier.notify(ns);
    if (namespaces.size) notifier.notify('admin.$cmd');
    return {};
  },
};
