import type { Document } from 'bson';
import { compilePipeline, type PipelineContext } from '../aggregation/pipeline.js';
import { CommandError } from '../../errors.js';

/** The stages mongod allows after `$changeStream`. */
const CHANGE_STREAM_STAGES: ReadonlySet<string> = new Set([
  '$match', '$project', '$addFields', '$set', '$unset', '$replaceRoot', '$replaceWith', '$redact',
]);

/**
 * A compiled change stream pipeline tail: the user's stages after `$changeStream`, applied to each event once it
 * is built. `transforms` tells whether a stage may change the event (anything but `$match`): when none does, the
 * stream returns events with their documents byte for byte.
 */
export interface EventPipeline {
  /** No stage follows `$changeStream`. */
  readonly empty: boolean;
  readonly transforms: boolean;
  apply(event: Document): Document | undefined;
}

/**
 * Compiles the stages that follow `$changeStream` with the aggregation engine, which refuses the stages mongod
 * does not allow there (IllegalOperation) and unknown ones (40324) when the stream is opened.
 */
export function compileEventPipeline(stages: Document[], ctx?: PipelineContext): EventPipeline {
  // mongod parses every stage (an unknown name is 40324) before it checks which ones a change stream allows.
  for (const stage of stages) {
    compilePipeline([stage], ctx);
    const name = Object.keys(stage)[0];
    if (!CHANGE_STREAM_STAGES.has(name)) {
      throw new CommandError('IllegalOperation', `${name} is not permitted in a $changeStream pipeline`);
    }
  }
  const run = compilePipeline(stages, ctx, { within: 'changeStream' });
  const transforms = stages.some((stage) => Object.keys(stage ?? {})[0] !== '$match');
  return {
    empty: stages.length === 0,
    transforms,
    apply(event) {
      return stages.length === 0 ? event : run([event])[0];
    },
  };
}
