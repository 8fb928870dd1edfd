import type { Document } from 'bson';
import { CommandError } from '../../errors.js';
import { aggError, isObject } from './expression_core.js';
import { rootVariables } from './expression.js';
import { compileAddFields, compileProject, compileReplaceRoot, compileUnset, type Reshaper } from './reshape.js';

/** The stages an update pipeline may hold (mongod's update-with-aggregation-pipeline). */
const UPDATE_STAGES = ['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith'];

/** Compiles an update pipeline once, for applying it to many documents. */
export function compileUpdatePipeline(pipeline: Document[], variableNames: string[] = []): Reshaper[] {
  return pipeline.map((stage) => {
    if (!isObject(stage) || Object.keys(stage).length !== 1) {
      throw aggError(40323, 'A pipeline stage specification object must contain exactly one field.');
    }
    const [name] = Object.keys(stage);
    const spec = stage[name];
    switch (name) {
      case '$addFields': case '$set': return compileAddFields(spec, variableNames, name);
      case '$project': return compileProject(spec, variableNames);
      case '$unset': return compileUnset(spec);
      case '$replaceRoot': {
        if (!isObject(spec) || !('newRoot' in spec)) throw aggError(40231, 'no newRoot specified for the $replaceRoot stage');
        return compileReplaceRoot(spec.newRoot, variableNames);
      }
      case '$replaceWith': return compileReplaceRoot(spec, variableNames);
      default:
        if (UPDATE_STAGES.includes(name)) break;
        throw new CommandError('InvalidOptions', `${name} is not allowed to be used within an update`);
    }
    throw new CommandError('InvalidOptions', `${name} is not allowed to be used within an update`);
  });
}

/**
 * Applies an update pipeline (`update` with a pipeline instead of operators) to one document and returns the new
 * document. `variables` are the command's `let` values; `$$NOW` is fixed for the whole pipeline.
 */
export function applyUpdatePipeline(doc: Document, pipeline: Document[], variables?: Record<string, unknown>): Document {
  const stages = compileUpdatePipeline(pipeline, Object.keys(variables ?? {}));
  const now = new Date();
  let current = doc;
  for (const stage of stages) {
    const vars = rootVariables(current, { NOW: now, ...(variables ?? {}) });
    current = stage(current, vars);
  }
  return current;
}
