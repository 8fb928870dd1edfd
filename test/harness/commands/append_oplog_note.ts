import { Timestamp, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { isEmbeddedDocument } from '../engine/oplog_diff.js';
import { typeName } from '../engine/query/bson_types.js';

/**
 * appendOplogNote {data[, maxClusterTime]} (admin only; mongod's oplog_note.cpp): writes the no-op oplog entry
 * `{op: 'n', ns: '', o: data}` (OpObserver::onOpMessage), which moves the optime, the cluster time and change
 * streams' resume tokens forward; its reply's operationTime is that entry's ts. With `maxClusterTime`, it writes
 * only while the last applied optime is below it, and otherwise fails with StaleClusterTime. A standalone has no
 * oplog: NoReplicationEnabled.
 */
export const appendOplogNote: CommandDefinition = {
  run(ctx: CommandContext): Document {
    if (ctx.db !== 'admin') {
      throw new CommandError('Unauthorized', `${ctx.commandName} may only be run against the admin database.`);
    }
    if (ctx.server.options.standalone) {
      throw new CommandError('NoReplicationEnabled', 'Must have replication set up to run "appendOplogNote"');
    }
    const data = ctx.body.data;
    if (data === undefined) throw new CommandError('NoSuchKey', 'Missing expected field "data"', {}, 4);
    if (!isEmbeddedDocument(data)) {
      throw new CommandError('TypeMismatch', `"data" had the wrong type. Expected object, found ${typeName(data)}`);
    }
    const max = ctx.body.maxClusterTime;
    if (max !== undefined) {
      if (!(max instanceof Timestamp)) {
        throw new CommandError('TypeMismatch', `"maxClusterTime" had the wrong type. Expected timestamp, found ${typeName(max)}`);
      }
      const lastApplied = ctx.server.clock.current();
      if (max.compare(lastApplied) <= 0) {
        throw new CommandError(
          'StaleClusterTime',
          `Requested maxClusterTime { ts: ${formatTimestamp(max)} } is less or equal to the last primary OpTime: { ts: ${formatTimestamp(lastApplied)} }`,
        );
      }
    }
    ctx.writes.noop(data);
    return {};
  },
};

/** A Timestamp as mongod's BSONObj::toString writes it. */
function formatTimestamp(ts: Timestamp): string {
  return `Timestamp(${ts.high >>> 0}, ${ts.low >>> 0})`;
}
