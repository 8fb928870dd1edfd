/**
 * Runs DDL barrier operations on the destination. The applier calls it only after every writer has flushed, and
 * waits for it before handing out more writes, so a barrier sees exactly the events before it applied.
 *
 * Each operation accepts the outcomes a replay produces (see `event_translation.ts`): creating what exists, dropping
 * or renaming what is gone, dropping an index that is gone. Conflicting index definitions on replay (an index later
 * dropped and created again with other options on the source) are reported as warnings: the events that follow
 * bring the index to its final definition.
 */
import { MongoServerError, type Document, type MongoClient } from 'mongodb';
import type { Namespace } from '../catalog/namespace.js';
import { nsField } from '../log/fields.js';
import type { Logger } from '../log/logger.js';
import type { BarrierOperation } from './event_translation.js';

/** Records what commit must restore (the stored original catalog); lifecycle passes the state/ implementation. */
export interface CatalogRecorder {
  /** Called after `operation` ran on the destination. */
  record(operation: BarrierOperation): Promise<void>;
}

/**
 * Copies a collection again from the source (a `resync` operation, see event_translation.ts); lifecycle passes the
 * implementation, built on the catalog and copy modules.
 */
export interface NamespaceResync {
  /**
   * Replaces the destination's `ns` by a copy of the source's, read after the call began. Throws when `signal`
   * aborts first: a resync cut short must not count as done.
   */
  resync(ns: Namespace, signal: AbortSignal): Promise<void>;
}

/** Server error codes by name (src/mongo/base/error_codes.yml). */
export const DDL_ERROR_CODES = Object.freeze({
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  NamespaceExists: 48,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
} as const);

type DdlErrorName = keyof typeof DDL_ERROR_CODES;

/** Which errors mean "already done" for each operation on replay. */
const ALREADY_DONE: Readonly<Record<BarrierOperation['kind'], readonly DdlErrorName[]>> = Object.freeze({
  createCollection: ['NamespaceExists'],
  createView: ['NamespaceExists'],
  drop: ['NamespaceNotFound'],
  rename: ['NamespaceNotFound'],
  dropDatabase: [],
  createIndexes: [],
  dropIndexes: ['NamespaceNotFound', 'IndexNotFound'],
  collMod: ['NamespaceNotFound', 'IndexNotFound'],
  resync: ['NamespaceNotFound'],
});

/** Errors reported as warnings for each operation (the stream's later events settle the definition). */
const WARNED: Readonly<Record<BarrierOperation['kind'], readonly DdlErrorName[]>> = Object.freeze({
  createCollection: [],
  createView: [],
  drop: [],
  rename: [],
  dropDatabase: [],
  createIndexes: ['IndexOptionsConflict', 'IndexKeySpecsConflict'],
  dropIndexes: [],
  collMod: [],
  resync: [],
});

/** The destination command of an operation (undefined: nothing to run). Pure. */
export function barrierCommand(operation: BarrierOperation): { db: string; command: Document } | undefined {
  switch (operation.kind) {
    case 'createCollection':
      return { db: operation.ns.db, command: { create: operation.ns.coll, ...operation.options } };
    case 'createView':
      return { db: operation.ns.db, command: { create: operation.ns.coll, ...operation.options } };
    case 'drop':
      return { db: operation.ns.db, command: { drop: operation.ns.coll } };
    case 'rename':
      return {
        db: 'admin',
        command: {
          renameCollection: `${operation.from.db}.${operation.from.coll}`,
          to: `${operation.to.db}.${operation.to.coll}`,
          // The source's collection after the rename is the renamed one, whatever the destination held there.
          dropTarget: true,
        },
      };
    case 'dropDatabase':
      return { db: operation.db, command: { dropDatabase: 1 } };
    case 'createIndexes':
      return { db: operation.ns.db, command: { createIndexes: operation.ns.coll, indexes: [...operation.indexes] } };
    case 'dropIndexes':
      return { db: operation.ns.db, command: { dropIndexes: operation.ns.coll, index: [...operation.names] } };
    case 'collMod':
      if (Object.keys(operation.changes).length === 0) return undefined;
      return { db: operation.ns.db, command: { collMod: operation.ns.coll, ...operation.changes } };
    case 'resync':
      // The old name of a renamed collection goes; the copy itself is the NamespaceResync's.
      return operation.renamedFrom === undefined ? undefined : { db: operation.renamedFrom.db, command: { drop: operation.renamedFrom.coll } };
  }
}

/** Runs barrier operations on the destination. */
export class BarrierRunner {
  constructor(
    private readonly destination: MongoClient,
    private readonly logger: Logger,
    private readonly catalog?: CatalogRecorder,
    private readonly resync?: NamespaceResync,
  ) {}

  async run(operation: BarrierOperation, signal: AbortSignal): Promise<void> {
    const { resync } = this;
    if (operation.kind === 'resync' && resync === undefined) {
      throw new Error(`${operation.ns.db}.${operation.ns.coll} must be copied again after a rename and no resync is configured`);
    }
    const target = barrierCommand(operation);
    if (target !== undefined) await this.runCommand(operation, target.db, target.command);
    if (operation.kind === 'resync') await resync?.resync(operation.ns, signal);
    await this.catalog?.record(operation);
  }

  private async runCommand(operation: BarrierOperation, db: string, command: Document): Promise<void> {
    try {
      // Majority: the checkpoint that follows a barrier must not cover DDL a failover could lose.
      await this.destination.db(db).command({ ...command, writeConcern: { w: 'majority' } });
      this.logger.info('DDL applied', { operation: operation.kind, ...namespaceFields(operation) });
    } catch (error) {
      const name = errorName(error);
      if (name !== undefined && ALREADY_DONE[operation.kind].includes(name)) {
        this.logger.debug('DDL already applied', { operation: operation.kind, codeName: name, ...namespaceFields(operation) });
        return;
      }
      if (name !== undefined && WARNED[operation.kind].includes(name)) {
        this.logger.warn('DDL conflicts with the destination; later events settle it', {
          operation: operation.kind, codeName: name, ...namespaceFields(operation),
        });
        return;
      }
      throw error;
    }
  }
}

function errorName(error: unknown): DdlErrorName | undefined {
  if (!(error instanceof MongoServerError)) return undefined;
  for (const [name, code] of Object.entries(DDL_ERROR_CODES)) {
    if (error.code === code || error.codeName === name) return name as DdlErrorName;
  }
  return undefined;
}

function namespaceFields(operation: BarrierOperation): Document {
  switch (operation.kind) {
    case 'rename': return { ...nsField(operation.from), to: `${operation.to.db}.${operation.to.coll}` };
    case 'dropDatabase': return { db: operation.db };
    case 'resync': return { ...nsField(operation.ns), ...(operation.renamedFrom ? { from: `${operation.renamedFrom.db}.${operation.renamedFrom.coll}` } : {}) };
    default: return nsField(operation.ns);
  }
}
