/**
 * The demo's data set: a shop and an analytics database with the indexes and collection kinds migrations meet in
 * practice (unique, TTL, hidden, compound and partial indexes, a capped collection, a view).
 */
import { Decimal128, Double, Int32, Long, ObjectId, type Document, type MongoClient } from 'mongodb';
import { randomFor, randomInt } from '../test/tools/random.js';
import type { AnyDocument } from '../test/tools/documents.js';

/** The databases the application owns (its user gets readWrite on each). */
export const APP_DATABASES = Object.freeze(['shop', 'analytics'] as const);

/** The collections whose document counts the demo compares at the end. */
export const COUNTED_NAMESPACES = Object.freeze([
  'shop.customers', 'shop.products', 'shop.orders', 'shop.sessions', 'shop.audit', 'analytics.pageviews',
] as const);

/** How many documents of each kind a seed of `total` documents holds (the writer picks existing ones from these). */
export interface SeedShape {
  readonly orders: number;
  readonly customers: number;
  readonly products: number;
  readonly pageviews: number;
}

export function seedShape(total: number): SeedShape {
  const orders = Math.floor(total * 0.7);
  const customers = Math.floor(total * 0.1);
  const products = Math.floor(total * 0.025);
  // 3 more documents: one session and two audit entries.
  return { orders, customers, products, pageviews: total - orders - customers - products - 3 };
}

async function insertInBatches(client: MongoClient, db: string, coll: string, count: number, make: (i: number) => Document): Promise<void> {
  const collection = client.db(db).collection(coll);
  for (let start = 0; start < count; start += 5000) {
    const batch: Document[] = [];
    for (let i = start; i < Math.min(count, start + 5000); i++) batch.push(make(i));
    await collection.insertMany(batch, { ordered: false });
  }
}

/** Seeds `total` documents into `shop` and `analytics`. */
export async function seed(client: MongoClient, total: number): Promise<SeedShape> {
  const shape = seedShape(total);
  const { orders, customers, products, pageviews } = shape;
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
  return shape;
}

/** Document counts of {@link COUNTED_NAMESPACES}. */
export async function counts(client: MongoClient): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const ns of COUNTED_NAMESPACES) {
    const [db, coll] = ns.split('.') as [string, string];
    out[ns] = await client.db(db).collection(coll).countDocuments();
  }
  return out;
}
