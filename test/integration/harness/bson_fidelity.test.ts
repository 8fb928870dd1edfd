import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient, Int32 } from 'mongodb';
import { serialize } from 'bson';
import { sourceDeployment, type TestDeployment } from '../../tools/deployments.js';
import { RawWireClient } from '../../tools/raw_wire_client.js';
import type { AnyDocument } from '../../tools/documents.js';

/**
 * Every valid document of MongoDB's BSON corpus (read in place from ../shared/spec-data, never copied) is inserted
 * as exact bytes and must come back byte for byte: every type, -0.0, NaN payloads, Decimal128, the legacy types
 * (undefined, symbol, DBPointer, code with scope), MinKey/MaxKey, and field order.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const corpusDir = path.resolve(here, '../../../../shared/spec-data/bson-corpus');
const corpusPresent = fs.existsSync(corpusDir);

interface CorpusCase {
  file: string;
  description: string;
  bytes: Buffer;
}

function loadCorpus(): CorpusCase[] {
  if (!corpusPresent) return [];
  const cases: CorpusCase[] = [];
  for (const file of fs.readdirSync(corpusDir).filter((f) => f.endsWith('.json')).sort()) {
    // top.json holds '$'-prefixed and dotted top-level names, refused or stored differently by mongod.
    if (file === 'top.json') continue;
    const suite = JSON.parse(fs.readFileSync(path.join(corpusDir, file), 'utf8'));
    for (const v of suite.valid ?? []) {
      cases.push({ file, description: v.description, bytes: Buffer.from(v.canonical_bson, 'hex') });
    }
  }
  return cases;
}

/** Prepends `_id: <n>` (Int32) to a BSON document's bytes. */
function withId(doc: Buffer, id: number): Buffer {
  const idElement = Buffer.from(serialize({ _id: new Int32(id) }));
  const element = idElement.subarray(4, idElement.length - 1);
  const out = Buffer.concat([doc.subarray(0, 4), element, doc.subarray(4)]);
  out.writeInt32LE(out.length, 0);
  return out;
}

const cases = loadCorpus();
const describeCorpus = corpusPresent ? describe : describe.skip;

describeCorpus('BSON corpus fidelity (insert exact bytes, read them back)', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  let raw: RawWireClient;

  beforeAll(async () => {
    deployment = await sourceDeployment();
    client = new MongoClient(deployment.uri);
    raw = await RawWireClient.connect(deployment.uri);
    await client.db('fidelity').collection('corpus').drop().catch(() => undefined);
  });

  afterAll(async () => {
    raw?.close();
    await client?.close();
    await deployment?.stop();
  });

  it('holds at least 700 valid corpus documents', () => {
    expect(cases.length).toBeGreaterThan(700);
  });

  it.each(cases.map((c, i) => [`${c.file}: ${c.description}`, i] as const))('round-trips %s', async (_name, i) => {
    const doc = withId(cases[i].bytes, i);
    const reply = await raw.command({ insert: 'corpus', $db: 'fidelity', ordered: true }, { documents: [doc] });
    expect(reply.writeErrors).toBeUndefined();
    expect(Number(reply.n)).toBe(1);
    const found = await client.db('fidelity').collection<AnyDocument>('corpus').find({ _id: i }, { raw: true }).toArray();
    expect(found).toHaveLength(1);
    expect(Buffer.from(found[0] as unknown as Uint8Array).toString('hex')).toBe(doc.toString('hex'));
  });
});
