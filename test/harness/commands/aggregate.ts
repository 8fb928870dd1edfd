import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { openChangeStream } from '../engine/change_streams/open_change_stream.js';
import { runAggregate } from '../engine/aggregation/run_aggregate.js';

/** aggregate: a `$changeStream` pipeline opens a change stream; any other runs through the aggregation engine. */
export const aggregate: CommandDefinition = {
  run(ctx: CommandContext): Promise<Document> {
    const pipeline = ctx.body.pipeline;
    if (!Array.isArray(pipeline)) {
      throw new CommandError('TypeMismatch', "BSON field 'aggregate.pipeline' is the wrong type, expected type 'array'");
    }
    if (pipeline.length > 0 && pipeline[0] && typeof pipeline[0] === 'object' && '$changeStream' in pipeline[0]) {
      return openChangeStream(ctx, pipeline as Document[]);
    }
    return runAggregate(ctx, pipeline as Document[]);
  },
};
