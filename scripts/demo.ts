/**
 * `npm run demo`: the main job on embedded servers. Starts a source and a destination (in-memory, MongoDB
 * wire-compatible), seeds a realistic data set, runs `sync start --once` with the built CLI, then `sync verify`,
 * and prints a summary. `npm run demo -- --docs 50000` runs a smaller data set.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Decimal128, Double, Int32, Long, MongoClient, ObjectId, type Document } from 'mongodb';
import { startServer } from '../test/harness/server.js';
import { randomFor, randomInt } from '../test/tools/random.js';
import type { AnyDocument } from '../test/tools/documents.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(REPO, 'bin/sync.js');

function runCli(args: string[], cwd: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: 'inherit' });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

async function insertInBatches(client: MongoClient, db: string, coll: string, count: number, make: (i: number) => Document): Promise<void> {
  const collection = client.db(db).collection(coll);
  for (let start = 0; start < count; start += 5000) {
    const batch: Document[] = [];
    for (let i = start; i < Math.min(count, start + 5000); i++) batch.push(make(i));
    await collection.insertMany(batch, { ordered: false });
  }
}

/** A shop and an analytics database with the indexes and collection kinds migrations meet in practice. */
async function seed(client: MongoClient, total: number): Promise<void> {
  const orders = Math.floor(total * 0.7);
  const customers = Math.floor(total * 0.1);
  const products = Math.floor(total * 0.025);
  const pageviews = total - orders - customers - products - 3;
  const shop = client.db('shop');
  await insertInBatches(client, 'shop', 'customers', customers, (i) => {
    const r = randomFor(i);
    return { _id: new ObjectId(), email: `user${i}@example.com`, name: `Customer ${i}`, vip: r() < 0.05, since: new Date(1_600_000_000_000 + i * 1000) };
  });
  await shop.collection('customers').createIndex({ email: 1 }, { unique: true });
  await shop.collection('customers').createIndex({ name: 1, since: -1 }, { hidden: true });
  await insertInBatches(client, 'shop', 'products', products, (i) => ({
    _id: `SKU-${String(i).padStart(6, '0')}`, title: `Product ${i}`, price: Decimal128.fromString(`${(i % 500) + 0.99}`), stock: new Int32(i % 97),
  }));
  await shop.collection('products').createIndex({ stock: 1 }, { partialFilterExpression: { stock: { $gt: 0 } } });
  await insertInBatches(client, 'shop', 'orders', orders, (i) => {
    const r = randomFor(1_000_000 + i);
    return {
      _id: Long.fromNumber(i), customer: `user${randomInt(r, customers)}@example.com`, placedAt: new Date(1_700_000_000_000 + i * 60_000),
      items: [{ sku: `SKU-${String(randomInt(r, products)).padStart(6, '0')}`, qty: new Int32(1 + randomInt(r, 5)) }],
      total: new Double(Math.round(r() * 50_000) / 100), status: ['new', 'paid', 'shipped'][randomInt(r, 3)], note: 'n'.repeat(200 + randomInt(r, 600)),
    };
  });
  await shop.collection('orders').createIndex({ customer: 1, placedAt: -1 });
  await shop.createCollection('sessions');
  await shop.collection('sessions').createIndex({ lastSeen: 1 }, { expireAfterSeconds: 1800 });
  await shop.collection<AnyDocument>('sessions').insertOne({ _id: 'session-1', lastSeen: new Date() });
  await shop.createCollection('audit', { capped: true, size: 1024 * 1024 });
  await shop.collection('audit').insertMany([{ at: new Date(), what: 'seeded' }, { at: new Date(), what: 'demo' }]);
  await shop.createCollection('paid_orders', { viewOn: 'orders', pipeline: [{ $match: { status: 'paid' } }] });
  await insertInBatches(client, 'analytics', 'pageviews', pageviews, (i) => {
    const r = randomFor(5_000_000 + i);
    return { _id: new ObjectId(), path: `/p/${randomInt(r, 1000)}`, ms: new Int32(randomInt(r, 3000)), at: new Date(1_710_000_000_000 + i) };
  });
}

async function counts(client: MongoClient): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [db, coll] of [['shop', 'customers'], ['shop', 'products'], ['shop', 'orders'], ['shop', 'sessions'], ['shop', 'audit'], ['analytics', 'pageviews']]) {
    out[`${db}.${coll}`] = await client.db(db).collection(coll).countDocuments();
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { docs: { type: 'string', default: '200000' } } });
  const total = Number(values.docs);
  const source = await startServer();
  const destination = await startServer();
  const work = await mkdtemp(path.join(os.tmpdir(), 'c2c-demo-'));
  const sourceClient = await MongoClient.connect(source.uri);
  const destinationClient = await MongoClient.connect(destination.uri);
  try {
    process.stdout.write(`source      ${source.uri}\ndestination ${destination.uri}\n`);
    let started = Date.now();
    await seed(sourceClient, total);
    process.stdout.write(`seeded ${total} documents in ${((Date.now() - started) / 1000).toFixed(1)} s\n\n`);
    const config = path.join(work, 'sync.yaml');
    await writeFile(config, `source:\n  uri: "${source.uri}"\ndestination:\n  uri: "${destination.uri}"\n`);
    process.stdout.write(`$ sync start --config sync.yaml --once\n`);
    started = Date.now();
    const startCode = await runCli(['start', '--config', config, '--once'], work);
    const copySeconds = (Date.now() - started) / 1000;
    if (startCode !== 0) throw new Error(`sync start exited with ${startCode}`);
    process.stdout.write(`\n$ sync verify --config sync.yaml\n`);
    const verifyCode = await runCli(['verify', '--config', config], work);
    const [before, after] = [await counts(sourceClient), await counts(destinationClient)];
    process.stdout.write(`\nSummary: copy took ${copySeconds.toFixed(1)} s, verify exited ${verifyCode}\n`);
    for (const ns of Object.keys(before)) process.stdout.write(`  ${ns.padEnd(22)} source ${String(before[ns]).padStart(8)}  destination ${String(after[ns]).padStart(8)}\n`);
    if (verifyCode !== 0) process.exitCode = 1;
  } finally {
    await sourceClient.close();
    await destinationClient.close();
    await source.stop();
    await destination.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`demo failed: ${error.message}\n`);
  process.exit(1);
});
