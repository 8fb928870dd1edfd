import type { Document } from 'bson';
import { CommandError } from '../../errors.js';
import { compileFilter } from '../query/filter.js';
import { compileAddFields, compileProject, compileReplaceRoot, compileUnset, type Reshaper } from '../aggregation/reshape.js';
import { rootVariables } from '../aggregation/expression.js';

/** One compiled stage after `$changeStream`: returns the transformed event, or undefined to drop it. */
type EventStage = (event: Document) => Document | undefined;

/** The stages mongod allows after `$changeStream` (the others are refused when the stream is opened). */
const ALLOWED_STAGES = new Set([
  '$match', '$project', '$addFields', '$set', '$unset', '$replaceRoot', '$replaceWith', '$redact',
]);

/** Every stage name mongod knows: an unknown one is 40324, a known one not allowed here IllegalOperation. */
const KNOWN_STAGES = new Set([
  '$addFields', '$bucket', '$bucketAuto', '$changeStream', '$changeStreamSplitLargeEvent', '$collStats', '$count',
  '$currentOp', '$densify', '$documents', '$facet', '$fill', '$geoNear', '$graphLookup', '$group', '$indexStats',
  '$limit', '$listLocalSessions', '$listSampledQueries', '$listSearchIndexes', '$listSessions', '$lookup', '$match',
  '$merge', '$out', '$planCacheStats', '$project', '$redact', '$replaceRoot', '$replaceWith', '$sample', '$search',
  '$searchMeta', '$set', '$setWindowFields', '$shardedDataDistribution', '$skip', '$sort', '$sortByCount',
  '$unionWith', '$unset', '$unwind', '$vectorSearch',
]);

/**
 * A compiled change stream pipeline tail: the user's stages, applied to each event after it is built. `isEmpty`
 * lets the stream return events byte for byte when nothing transforms them.
 */
export interface EventPipeline {
  readonly transforms: boolean;
  apply(event: Document): Document | undefined;
}

/** Compiles the stages that follow `$changeStream` in an aggregate's pipeline. */
export function compileEventPipeline(stages: Document[]): EventPipeline {
  const compiled: EventStage[] = [];
  let transforms = false;
  for (const stage of stages) {
    const names = Object.keys(stage ?? {});
    if (names.length !== 1) {
      throw new CommandError('Location40323', 'A pipeline stage specification object must contain exactly one field.', {}, 40323);
    }
    const name = names[0];
    const spec = stage[name];
    if (!KNOWN_STAGES.has(name)) {
      throw new CommandError('Location40324', `Unrecognized pipeline stage name: '${name}'`, {}, 40324);
    }
    if (!ALLOWED_STAGES.has(name)) {
      throw new CommandError('IllegalOperation', `${name} is not permitted in a $changeStream pipeline`);
    }
    if (name === '$match') {
      const predicate = compileFilter(spec as Document);
      compiled.push((event) => (predicate(event) ? event : undefined));
      continue;
    }
    transforms = true;
    compiled.push(reshapingStage(name, spec));
  }
  return {
    transforms,
    apply(event) {
      let current: Document | undefined = event;
      for (const stage of compiled) {
        current = stage(current);
        if (current === undefined) return undefined;
      }
      return current;
    },
  };
}

function reshapingStage(name: string, spec: unknown): EventStage {
  let reshaper: Reshaper;
  switch (name) {
    case '$project': reshaper = compileProject(spec); break;
    case '$addFields': case '$set': reshaper = compileAddFields(spec, [], name); break;
    case '$unset': reshaper = compileUnset(spec); break;
    case '$replaceRoot': {
      const newRoot = (spec as Document | null)?.newRoot;
      if (newRoot === undefined) {
        throw new CommandError('Location40231', "no newRoot specified for the $replaceRoot stage", {}, 40231);
      }
      reshaper = compileReplaceRoot(newRoot);
      break;
    }
    case '$replaceWith': reshaper = compileReplaceRoot(spec); break;
    default: return redactStage(spec);
  }
  return (event) => reshaper(event, rootVariables(event));
}

/** $redact with the common literal outcomes ($$KEEP / $$PRUNE at the top level); $$DESCEND keeps the event. */
function redactStage(spec: unknown): EventStage {
  return (event) => {
    if (spec === '$$PRUNE') return undefined;
    return event;
  };
}
