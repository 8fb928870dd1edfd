import { CommandError } from '../errors.js';

/** A database and collection name pair, as mongod's NamespaceString. */
export class Namespace {
  constructor(readonly db: string, readonly coll: string) {}

  static parse(ns: string): Namespace {
    const dot = ns.indexOf('.');
    if (dot <= 0) throw new CommandError('InvalidNamespace', `Invalid namespace specified '${ns}'`);
    return new Namespace(ns.slice(0, dot), ns.slice(dot + 1));
  }

  toString(): string {
    return `${this.db}.${this.coll}`;
  }
}

/** Validates a database name with mongod's rules (no '/\. "$' characters, not empty, at most 63 bytes). */
export function assertValidDbName(db: string): void {
  if (!db || /[/\\. "$\0]/.test(db) || Buffer.byteLength(db) > 63) {
    throw new CommandError('InvalidNamespace', `Invalid database name: '${db}'`);
  }
}

/** Validates a collection name (not empty, no '$' except in oplog.$main-like system names, no NUL). */
export function assertValidCollectionName(db: string, coll: string): void {
  if (!coll || coll.includes('\0') || (coll.includes('$') && !coll.startsWith('oplog.$')) || coll.startsWith('.')) {
    throw new CommandError('InvalidNamespace', `Invalid collection name: ${coll}`);
  }
  if (Buffer.byteLength(`${db}.${coll}`) > 255) {
    throw new CommandError('InvalidNamespace', `Fully qualified namespace is too long: ${db}.${coll}`);
  }
}
