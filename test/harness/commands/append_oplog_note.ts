import { Timestamp, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { isEmbeddedDocument } from '../engine/oplog_diff.js';

/**
 * appendOplogNote {data} (admin only): writes a no-op oplog entry `{op: 'n', ns: '', o: data}`, which moves the
 * cluster time forward (tools use it to make change streams and majority reads advance); with `maxClusterTime`,
 * only while the cluster time is below it.
 */
export const appendOplogNote: CommandDefinition = {
  run(ctx: CommandContext): Document {
    if (ctx.db !== 'admin') {
      throw new CommandError('Unauthorized', `${ctx.commandName} may only be run against the admin database.`);
    }
    const data = ctx.body.data;
    if (data === undefined) throw new CommandError('NoSuchKey', 'Missing expected field "data"', {}, 4);
    if (!isEmbeddedDocument(data)) {
      throw new CommandError('TypeMismatch', `"data" had the wrong type. Expected object, found ${Array.isArray(data) ? 'array' : typeof data}`);
    }
    // With maxClusterTime (used by mongos and resharding), nothing is written once the clock has reached it.
    const max = ctx.body.maxClusterTime;
    if (max instanceof Timestamp && ctx.server.clock.current().compare(max) >= 0) return {};
    ctx.writes.noop(data);
    return {};
  },
};
