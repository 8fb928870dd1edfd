import { Timestamp, type Document } from 'bson';
import type { CommandContext } from '../../command_context.js';
import { CommandError } from '../../errors.js';
import { cursorReply, numberArg } from '../../commands/cursor_reply.js';
import { isEmbeddedDocument } from '../oplog_diff.js';
import { INTERNAL_DATABASES, type StreamScope } from './change_event.js';
import {
  ChangeStreamCursor, FULL_DOCUMENT_BEFORE_CHANGE_MODES, FULL_DOCUMENT_MODES,
  type FullDocumentBeforeChangeMode, type FullDocumentMode, type StartPoint,
} from './change_stream_cursor.js';
import { compileEventPipeline } from './event_pipeline.js';
import { decodeResumeToken } from './resume_token.js';

/** The `$changeStream` fields mongod 7.0 accepts (document_source_change_stream.idl). */
const SPEC_FIELDS = new Set([
  'resumeAfter', 'startAfter', 'startAtOperationTime', 'fullDocument', 'fullDocumentBeforeChange',
  'allChangesForCluster', 'showMigrationEvents', 'showSystemEvents', 'allowToRunOnConfigDB', 'allowToRunOnSystemNS',
  'showExpandedEvents', 'showRawUpdateDescription',
]);

/**
 * Opens a change stream for an aggregate whose first stage is `$changeStream` and returns the aggregate reply
 * with the first batch (never waiting: mongod returns what the oplog holds now) and its postBatchResumeToken.
 */
export async function openChangeStream(ctx: CommandContext, pipeline: Document[]): Promise<Document> {
  const spec = pipeline[0].$changeStream;
  if (!isEmbeddedDocument(spec)) {
    throw new CommandError('FailedToParse', `the $changeStream stage must be specified as an object, got ${typeof spec}`, {}, 50808);
  }
  for (const key of Object.keys(spec)) {
    if (!SPEC_FIELDS.has(key)) throw new CommandError('Location40415', `BSON field '$changeStream.${key}' is an unknown field.`, {}, 40415);
  }
  for (const stage of pipeline.slice(1)) {
    if (isEmbeddedDocument(stage) && '$changeStream' in stage) {
      throw new CommandError('Location40602', '$changeStream is only valid as the first stage in a pipeline.', {}, 40602);
    }
  }
  const scope = streamScope(ctx, spec);
  const fullDocument = enumOption(spec.fullDocument, 'fullDocument', FULL_DOCUMENT_MODES, 'default') as FullDocumentMode;
  const fullDocumentBeforeChange = enumOption(
    spec.fullDocumentBeforeChange, 'fullDocumentBeforeChange', FULL_DOCUMENT_BEFORE_CHANGE_MODES, 'off',
  ) as FullDocumentBeforeChangeMode;
  const showExpandedEvents = boolOption(spec.showExpandedEvents, 'showExpandedEvents');
  const start = startPoint(ctx, spec);
  const events = compileEventPipeline(pipeline.slice(1), ctx);
  const cursorOptions = isEmbeddedDocument(ctx.body.cursor) ? ctx.body.cursor : {};
  const batchSize = numberArg(cursorOptions.batchSize, 'batchSize', 101);
  if (batchSize < 0) throw new CommandError('BadValue', 'BatchSize value must be non-negative', {}, 51024);
  const ns = scope.kind === 'collection' ? `${scope.db}.${scope.coll}` : `${ctx.db}.$cmd.aggregate`;
  const cursor = new ChangeStreamCursor(ctx.server, {
    ns, scope, start, fullDocument, fullDocumentBeforeChange, showExpandedEvents, pipeline: events,
  });
  const batch = await cursor.nextBatch(batchSize, 0);
  // A change stream stays open while empty: only an invalidate ends it.
  return cursorReply(ctx, cursor, batch, 'firstBatch');
}

function streamScope(ctx: CommandContext, spec: Document): StreamScope {
  const target = ctx.body.aggregate;
  const allChangesForCluster = boolOption(spec.allChangesForCluster, 'allChangesForCluster');
  if (typeof target === 'string') {
    if (allChangesForCluster) {
      throw new CommandError('InvalidOptions', "A $changeStream with 'allChangesForCluster:true' may only be opened on the 'admin' database, and with no collection name");
    }
    if (INTERNAL_DATABASES.has(ctx.db)) {
      throw new CommandError('InvalidNamespace', `$changeStream may not be opened on the internal ${ctx.db} database`);
    }
    if (target.startsWith('system.')) {
      throw new CommandError('InvalidNamespace', `$changeStream may not be opened on the internal ${ctx.db}.${target} collection`);
    }
    return { kind: 'collection', db: ctx.db, coll: target };
  }
  if (target !== 1 && !(typeof target === 'object' && target !== null && Number(target) === 1)) {
    throw new CommandError('FailedToParse', "Invalid aggregate namespace: the 'aggregate' field must be a collection name or 1", {}, 9);
  }
  if (allChangesForCluster) {
    if (ctx.db !== 'admin') {
      throw new CommandError('InvalidOptions', "A $changeStream with 'allChangesForCluster:true' may only be opened on the 'admin' database, and with no collection name");
    }
    return { kind: 'cluster' };
  }
  if (INTERNAL_DATABASES.has(ctx.db)) {
    throw new CommandError('InvalidNamespace', `$changeStream may not be opened on the internal ${ctx.db} database`);
  }
  return { kind: 'database', db: ctx.db };
}

function startPoint(ctx: CommandContext, spec: Document): StartPoint {
  const given = ['resumeAfter', 'startAfter', 'startAtOperationTime'].filter((k) => spec[k] !== undefined);
  if (given.length > 1) {
    throw new CommandError('Location40674', 'Only one type of resume option is allowed, but multiple were found.', {}, 40674);
  }
  if (spec.startAtOperationTime !== undefined) {
    if (!(spec.startAtOperationTime instanceof Timestamp)) {
      throw new CommandError('TypeMismatch', "BSON field '$changeStream.startAtOperationTime' is the wrong type, expected type 'timestamp'");
    }
    return { kind: 'at', clusterTime: spec.startAtOperationTime };
  }
  for (const option of ['resumeAfter', 'startAfter'] as const) {
    const token = spec[option];
    if (token === undefined) continue;
    if (!isEmbeddedDocument(token)) {
      throw new CommandError('TypeMismatch', `BSON field '$changeStream.${option}' is the wrong type, expected type 'object'`);
    }
    const tokenData = decodeResumeToken(token);
    if (tokenData.fromInvalidate && option === 'resumeAfter') {
      throw new CommandError('InvalidResumeToken', 'Attempting to resume a change stream using \'resumeAfter\' is not allowed from an invalidate notification.');
    }
    const normalized = { _data: String(token._data).toUpperCase() };
    if (tokenData.isHighWaterMark) return { kind: 'at', clusterTime: tokenData.clusterTime };
    return { kind: 'after', token: normalized, tokenData, mustFind: true };
  }
  // No resume point: start just after the newest entry, so that only later writes are reported.
  const last = ctx.server.clock.current();
  return { kind: 'at', clusterTime: new Timestamp({ t: last.high >>> 0, i: (last.low >>> 0) + 1 }) };
}

function enumOption(value: unknown, name: string, allowed: readonly string[], fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') {
    throw new CommandError('TypeMismatch', `BSON field '$changeStream.${name}' is the wrong type '${typeof value}', expected type 'string'`);
  }
  if (!allowed.includes(value)) {
    throw new CommandError('BadValue', `Enumeration value '${value}' for field '$changeStream.${name}' is not a valid value.`);
  }
  return value;
}

function boolOption(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new CommandError('TypeMismatch', `BSON field '$changeStream.${name}' is the wrong type '${typeof value}', expected type 'bool'`);
  }
  return value;
}
