import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Binary,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  MongoClient,
  ObjectId,
  Timestamp,
  BSON,
} from 'mongodb';
import { destinationDeployment, sourceDeployment, type TestDeployment } from '../../tools/deployments.js';
import { RawWireClient } from '../../tools/raw_wire_client.js';
import { runSync, writeSyncConfig, type CliRun } from '../../tools/run_cli.js';
import { randomFor, randomInt } from '../../tools/random.js';

/**
 * `sync start --once` copies documents without changing a byte: every valid document of MongoDB's BSON corpus (read
 * in place from ../shared/spec-data, never copied into the repo; the suite is skipped when it is absent), documents
 * whose key order a JS object would change (integer-like keys at several depths, in arrays of documents), `__proto__`
 * keys, empty documents and arrays, and numerically equal values of different types. Documents are inserted into the
 * source as exact bytes (raw wire client), with `_id`s of mixed BSON types, and read back raw from both sides.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const corpusDir = path.resolve(here, '../../../../shared/spec-data/bson-corpus');
const corpusPresent = fs.existsSync(corpusDir);
const describeCorpus = corpusPresent ? describe : describe.skip;

const DB = 'fidelity';

/** One document to copy: what it is, and its exact bytes without `_id`. */
interface Case {
  readonly name: string;
  readonly body: Buffer;
}

function corpusCases(): Case[] {
  const cases: Case[] = [];
  for (const file of fs.readdirSync(corpusDir).filter((f) => f.endsWith('.json')).sort()) {
    // top.json is about top-level names ('$'-prefixed, dotted) that a server refuses or stores differently.
    if (file === 'top.json') continue;
    const suite = JSON.parse(fs.readFileSync(path.join(corpusDir, file), 'utf8')) as { valid?: { description: string; canonical_bson: string }[] };
    for (const v of suite.valid ?? []) cases.push({ name: `${file}: ${v.description}`, body: Buffer.from(v.canonical_bson, 'hex') });
  }
  return cases;
}

/** Serializes a Map (key order kept exactly, integer-like keys included) to BSON bytes. */
function bytes(doc: Map<string, unknown>): Buffer {
  return Buffer.from(BSON.serialize(doc));
}

const m = (...entries: [string, unknown][]) => new Map<string, unknown>(entries);

/** Documents whose shape a decode/encode through plain JS objects would change. */
function shapeCases(): Case[] {
  return [
    { name: 'integer-like keys at the top level, out of numeric order', body: bytes(m(['b', 1], ['10', 2], ['2', 3], ['0', 4], ['a', 5])) },
    { name: 'integer-like keys two and three levels down', body: bytes(m(['x', m(['9', 1], ['y', m(['3', 'c'], ['1', 'a'], ['z', m(['20', 1], ['4', 2])])])])) },
    { name: 'arrays of documents with integer-like keys', body: bytes(m(['items', [m(['2', 'b'], ['1', 'a']), m(['k', [m(['7', 7], ['3', 3])]])]])) },
    { name: 'non-canonical integer-like keys ("01", "-1", "1.5", " 1")', body: bytes(m(['01', 1], ['-1', 2], ['1.5', 3], [' 1', 4], ['1', 5])) },
    { name: 'a key beyond the array index range', body: bytes(m(['4294967296', 1], ['4294967295', 2], ['a', 3])) },
    { name: '__proto__ keys at the top level and nested', body: bytes(m(['__proto__', m(['polluted', true])], ['a', m(['__proto__', 1], ['constructor', 2])])) },
    { name: '__proto__ next to integer-like keys', body: bytes(m(['__proto__', 1], ['5', 2], ['1', 3])) },
    { name: 'an empty document', body: bytes(m()) },
    { name: 'empty documents and arrays as values', body: bytes(m(['d', m()], ['a', []], ['nested', [[], m(), [m()]]])) },
    {
      name: 'numerically equal Int32, Int64, Double and Decimal128',
      body: bytes(m(['i32', new Int32(1)], ['i64', Long.fromNumber(1)], ['dbl', new Double(1)], ['dec', Decimal128.fromString('1')], ['dec0', Decimal128.fromString('1.0')])),
    },
    {
      name: 'numerically equal values in arrays and subdocuments, zeros of every type',
      body: bytes(m(['a', [new Int32(0), Long.fromNumber(0), new Double(0), new Double(-0), Decimal128.fromString('-0'), Decimal128.fromString('0E+3')]], ['d', m(['1', new Double(2)], ['0', new Int32(2)])])),
    },
    { name: 'a Double holding an integer above 2^53', body: bytes(m(['big', new Double(2 ** 60)], ['long', Long.fromString('1152921504606846976')])) },
  ];
}

/** The `_id` of document `i`: the BSON types an `_id` may have, in turn, each value distinct from all others. */
function mixedId(i: number): unknown {
  switch (i % 12) {
    case 0: return new Int32(i);
    case 1: return Long.fromNumber(1_000_000 + i);
    case 2: return new Double(i + 0.5);
    case 3: return Decimal128.fromString(`${i}.25`);
    case 4: return `id-${i}`;
    case 5: return ObjectId.createFromTime(i);
    case 6: return new Date(Date.UTC(2020, 0, 1) + i);
    case 7: return new Binary(Buffer.from([i & 0xff, i >> 8]), i % 2 === 0 ? 0 : 4);
    case 8: return m(['2', i], ['1', 'doc']);
    case 9: return new Timestamp({ t: i, i: 1 });
    case 10: return m(['k', i]);
    default: return `${String.fromCharCode(0x4e00 + (i % 100))}-${i}`;
  }
}

/** Where a document's top-level `_id` element is: [start, end) of its bytes, or undefined. */
function topLevelIdElement(doc: Buffer): [number, number] | undefined {
  const end = doc.readInt32LE(0) - 1;
  let pos = 4;
  while (pos < end) {
    const type = doc[pos]!;
    const nameEnd = doc.indexOf(0, pos + 1);
    const next = nameEnd + 1 + valueSize(doc, type, nameEnd + 1);
    if (doc.toString('utf8', pos + 1, nameEnd) === '_id') return [pos, next];
    pos = next;
  }
  return undefined;
}

/**
 * Gives a document's bytes the `_id` `id`: first, or where its own `_id` was (two corpus documents share an
 * ObjectId `_id`).
 */
function withId(body: Buffer, id: unknown): Buffer {
  const idDoc = Buffer.from(BSON.serialize(m(['_id', id])));
  const element = idDoc.subarray(4, idDoc.length - 1);
  const [start, end] = topLevelIdElement(body) ?? [4, 4];
  const out = Buffer.concat([body.subarray(0, start), element, body.subarray(end)]);
  out.writeInt32LE(out.length, 0);
  return out;
}

/** Every document of a collection as exact bytes (hex), in `_id` order. */
async function rawDocuments(client: MongoClient, coll: string): Promise<string[]> {
  const docs = await client.db(DB).collection(coll).find({}, { raw: true, sort: { _id: 1 } }).toArray();
  return docs.map((d) => Buffer.from(d as unknown as Uint8Array).toString('hex'));
}

/** Every `_id` of a collection as exact bytes (hex), in `_id` order. */
async function rawIds(client: MongoClient, coll: string): Promise<string[]> {
  const docs = await client.db(DB).collection(coll).find({}, { raw: true, sort: { _id: 1 }, projection: { _id: 1 } }).toArray();
  return docs.map((d) => Buffer.from(d as unknown as Uint8Array).toString('hex'));
}

/** Sizes of the fixed-size BSON values, by type byte. */
const FIXED_SIZES: Readonly<Record<number, number>> = {
  0x01: 8, 0x06: 0, 0x07: 12, 0x08: 1, 0x09: 8, 0x0a: 0, 0x10: 4, 0x11: 8, 0x12: 8, 0x13: 16, 0x7f: 0, 0xff: 0,
};

/** Whether a document holds, at any depth, a value of the deprecated undefined (0x06) or DBPointer (0x0C) type. */
function hasDeprecatedValue(doc: Buffer, offset = 0): boolean {
  const end = offset + doc.readInt32LE(offset) - 1;
  let pos = offset + 4;
  while (pos < end) {
    const type = doc[pos]!;
    if (type === 0x06 || type === 0x0c) return true;
    const value = doc.indexOf(0, pos + 1) + 1;
    if ((type === 0x03 || type === 0x04) && hasDeprecatedValue(doc, value)) return true;
    if (type === 0x0f && hasDeprecatedValue(doc, value + 8 + doc.readInt32LE(value + 4))) return true;
    pos = value + valueSize(doc, type, value);
  }
  return false;
}

function valueSize(doc: Buffer, type: number, at: number): number {
  const fixed = FIXED_SIZES[type];
  if (fixed !== undefined) return fixed;
  switch (type) {
    case 0x02: case 0x0d: case 0x0e: return 4 + doc.readInt32LE(at);
    case 0x03: case 0x04: case 0x0f: return doc.readInt32LE(at);
    case 0x05: return 5 + doc.readInt32LE(at);
    case 0x0b: return doc.indexOf(0, doc.indexOf(0, at) + 1) + 1 - at;
    case 0x0c: return 4 + doc.readInt32LE(at) + 12;
    default: throw new Error(`unknown BSON type 0x${type.toString(16)}`);
  }
}

describeCorpus('sync start --once copies every document byte for byte', () => {
  let source: TestDeployment;
  let destination: TestDeployment;
  let sourceClient: MongoClient;
  let destinationClient: MongoClient;
  /** What each collection received, by name of case. */
  const inserted: Record<string, { name: string; hex: string }[]> = { corpus: [], shapes: [], legacy: [] };
  let run: CliRun;

  async function insertRaw(raw: RawWireClient, coll: string, docs: { name: string; bytes: Buffer }[]): Promise<void> {
    for (let i = 0; i < docs.length; i += 200) {
      const batch = docs.slice(i, i + 200);
      const reply = await raw.command({ insert: coll, $db: DB, ordered: true }, { documents: batch.map((d) => d.bytes) });
      expect(reply.writeErrors).toBeUndefined();
      expect(Number(reply.n)).toBe(batch.length);
    }
    inserted[coll] = [...(inserted[coll] ?? []), ...docs.map((d) => ({ name: d.name, hex: d.bytes.toString('hex') }))];
  }

  beforeAll(async () => {
    source = await sourceDeployment();
    destination = await destinationDeployment();
    sourceClient = await MongoClient.connect(source.uri);
    destinationClient = await MongoClient.connect(destination.uri);
    const raw = await RawWireClient.connect(source.uri);
    try {
      let n = 0;
      const cases = corpusCases().map((c) => ({ name: c.name, bytes: withId(c.body, mixedId(n++)) }));
      // Documents holding the legacy undefined or DBPointer values go to a namespace of their own: the copy refuses
      // them (the driver cannot write them back), which the last test checks on a migration of that namespace alone.
      await insertRaw(raw, 'corpus', cases.filter((c) => !hasDeprecatedValue(c.bytes)));
      await insertRaw(raw, 'legacy', cases.filter((c) => hasDeprecatedValue(c.bytes)));
      // Padding of mixed _id types, so that the collection spans several 1 MiB partitions whose bounds fall
      // between type brackets.
      const padding = [];
      for (let i = 0; i < 400; i++) {
        const body = bytes(m(['pad', 'p'.repeat(4000 + randomInt(randomFor(i), 4000))], ['7', new Int32(i)], ['3', new Double(i)]));
        padding.push({ name: `padding ${i}`, bytes: withId(body, mixedId(n++)) });
      }
      await insertRaw(raw, 'corpus', padding);
      // Shapes, also each under an _id that is itself such a document.
      const shapes = shapeCases();
      await insertRaw(raw, 'shapes', shapes.map((c, i) => ({ name: c.name, bytes: withId(c.body, mixedId(i)) })));
      await insertRaw(raw, 'shapes', [
        { name: '_id with integer-like keys out of order', bytes: withId(bytes(m(['v', 1])), m(['10', 1], ['2', 2])) },
        // Not also {"2": 2, "10": 1}: a different _id for mongod (field order is part of a document's value), but
        // the embedded server decodes _ids to JS objects, which reorder integer-like keys, and reports a duplicate.
        { name: '_id with a __proto__ key', bytes: withId(bytes(m(['v', 3])), m(['__proto__', 1])) },
        { name: '_id as an empty document', bytes: withId(bytes(m(['v', 4])), m()) },
        { name: '_id as MinKey', bytes: withId(bytes(m(['v', 5])), new MinKey()) },
        { name: '_id as MaxKey', bytes: withId(bytes(m(['v', 6])), new MaxKey()) },
        { name: '_id as null', bytes: withId(bytes(m(['v', 7])), null) },
        { name: '_id as true', bytes: withId(bytes(m(['v', 8])), true) },
      ]);
    } finally {
      raw.close();
    }
    const config = await writeSyncConfig(
      source.uri,
      destination.uri,
      `excludeNamespaces: [${DB}.legacy]\ncopy:\n  partitionSizeBytes: 1MiB\n  batchSizeBytes: 64KiB\n  parallelism: 3\nlogging:\n  level: warn\n`,
    );
    run = await runSync(['start', '--config', config, '--once', '--json']);
  }, 120_000);

  afterAll(async () => {
    await sourceClient?.close();
    await destinationClient?.close();
    await source?.stop();
    await destination?.stop();
  });

  it('holds the corpus and the shapes in the source exactly as inserted', async () => {
    expect(inserted.corpus!.length).toBeGreaterThan(700 + 400);
    for (const coll of ['corpus', 'shapes', 'legacy']) {
      const stored = new Set(await rawDocuments(sourceClient, coll));
      expect(inserted[coll]!.filter((d) => !stored.has(d.hex)).map((d) => d.name)).toEqual([]);
    }
  });

  it('exits 0 after copying the corpus collection in several partitions', async () => {
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const partitions = await destinationClient.db('__c2c_sync_internal').collection('partitions').countDocuments({ coll: 'corpus' });
    expect(partitions).toBeGreaterThan(1);
  });

  it('copies every document, in the same _id order', async () => {
    for (const coll of ['corpus', 'shapes']) {
      expect(await rawIds(destinationClient, coll)).toEqual(await rawIds(sourceClient, coll));
    }
  });

  it('copies every document byte for byte', async () => {
    for (const coll of ['corpus', 'shapes']) {
      const copied = new Set(await rawDocuments(destinationClient, coll));
      const expected = inserted[coll]!;
      expect(expected.length).toBeGreaterThan(coll === 'corpus' ? 1000 : 10);
      // Named failures: the cases whose exact bytes are not in the destination.
      expect(expected.filter((d) => !copied.has(d.hex)).map((d) => d.name)).toEqual([]);
    }
  });

  /*
   * The driver's serializer cannot write the legacy undefined (0x06) and DBPointer (0x0C) types (an undefined field
   * would be dropped, a DBPointer would become a DBRef document), so the copy refuses such documents loudly, naming
   * the namespace, the _id and the field, and writes nothing altered.
   */
  it('refuses documents holding undefined or DBPointer values, naming them, and alters nothing', async () => {
    expect(inserted.legacy!.map((d) => d.name)).toEqual(expect.arrayContaining(['undefined.json: Undefined', 'dbpointer.json: DBpointer']));
    const fresh = await destinationDeployment();
    try {
      const config = await writeSyncConfig(source.uri, fresh.uri, `includeNamespaces: [${DB}.legacy]\nlogging:\n  level: error\n`);
      const refused = await runSync(['start', '--config', config, '--once']);
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain('COPY-5001');
      expect(refused.stderr).toMatch(/holds (undefined|DBPointer) at /);
      const client = await MongoClient.connect(fresh.uri);
      try {
        const legacy = new Set(inserted.legacy!.map((d) => d.hex));
        const written = await rawDocuments(client, 'legacy');
        expect(written.filter((hex) => !legacy.has(hex))).toEqual([]);
      } finally {
        await client.close();
      }
    } finally {
      await fresh.stop();
    }
  });
});
