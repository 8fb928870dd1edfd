import { Long, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { cursorReply, numberArg } from './cursor_reply.js';

/** getMore: the next batch of a cursor; tailable and change stream cursors wait up to maxTimeMS for data. */
export const getMore: CommandDefinition = {
  async run(ctx: CommandContext): Promise<Document> {
    const { body, server } = ctx;
    const id = body.getMore;
    if (!(id instanceof Long)) {
      throw new CommandError('TypeMismatch', `Field 'getMore' must be of type long in: ${JSON.stringify(body)}`);
    }
    const ns = `${ctx.db}.${String(body.collection)}`;
    const cursor = server.cursors.get(id, ns);
    const batchSize = numberArg(body.batchSize, 'batchSize', 0);
    const maxTimeMs = numberArg(body.maxTimeMS, 'maxTimeMS', 1000);
    const batch = await cursor.nextBatch(batchSize > 0 ? batchSize : undefined, maxTimeMs);
    return cursorReply(ctx, cursor, batch, 'nextBatch', id);
  },
};
