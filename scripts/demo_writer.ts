/**
 * The demo's application: a writer that, as the application user, inserts, updates and deletes on the source at a
 * modest rate while the migration runs (new orders and customers, status changes, cancelled orders, page views).
 */
import { Double, Int32, Long, ObjectId, type MongoClient } from 'mongodb';
import { randomInt, seededRandom } from '../test/tools/random.js';
import type { AnyDocument } from '../test/tools/documents.js';
import type { SeedShape } from './demo_seed.js';

/** What the writer has done so far. */
export interface WriteCounts {
  readonly inserts: number;
  readonly updates: number;
  readonly deletes: number;
}

export const totalWrites = (c: WriteCounts): number => c.inserts + c.updates + c.deletes;

export function formatWrites(c: WriteCounts): string {
  return `${c.inserts.toLocaleString('en-US')} inserts, ${c.updates.toLocaleString('en-US')} updates, ${c.deletes.toLocaleString('en-US')} deletes`;
}

export function minusWrites(a: WriteCounts, b: WriteCounts): WriteCounts {
  return { inserts: a.inserts - b.inserts, updates: a.updates - b.updates, deletes: a.deletes - b.deletes };
}

/** Orders the writer inserts get _ids from here on, above the seeded ones. */
const FIRST_NEW_ORDER = 100_000_000;

/** An application writing to the source until {@link ApplicationWriter.stop}. */
export class ApplicationWriter {
  #inserts = 0;
  #updates = 0;
  #deletes = 0;
  #stopped = false;
  #error: Error | undefined;
  #loop: Promise<void> | undefined;

  /** `pauseMs` between two writes keeps the rate modest (a few dozen writes per second). */
  constructor(private readonly client: MongoClient, private readonly shape: SeedShape, private readonly pauseMs = 25) {}

  start(): void {
    this.#loop = this.#run().catch((error: Error) => {
      this.#error = error;
    });
  }

  /** The first write that failed, if any: the writer stops there. */
  get error(): Error | undefined {
    return this.#error;
  }

  get counts(): WriteCounts {
    return { inserts: this.#inserts, updates: this.#updates, deletes: this.#deletes };
  }

  async stop(): Promise<WriteCounts> {
    this.#stopped = true;
    await this.#loop;
    return this.counts;
  }

  async #run(): Promise<void> {
    const random = seededRandom(424242);
    const shop = this.client.db('shop');
    const orders = shop.collection<AnyDocument>('orders');
    let next = 0;
    while (!this.#stopped) {
      const roll = random();
      const n = next++;
      if (roll < 0.35) {
        await orders.insertOne({
          _id: Long.fromNumber(FIRST_NEW_ORDER + n), customer: `user${randomInt(random, this.shape.customers)}@example.com`, placedAt: new Date(),
          items: [{ sku: `SKU-${String(randomInt(random, this.shape.products)).padStart(6, '0')}`, qty: new Int32(1) }],
          total: new Double(Math.round(random() * 50_000) / 100), status: 'new', note: 'placed while the migration ran',
        });
        this.#inserts++;
      } else if (roll < 0.45) {
        await shop.collection('customers').insertOne({ _id: new ObjectId(), email: `signup${n}@example.com`, name: `New customer ${n}`, vip: false, since: new Date() });
        this.#inserts++;
      } else if (roll < 0.55) {
        await this.client.db('analytics').collection('pageviews').insertOne({ _id: new ObjectId(), path: `/p/${randomInt(random, 1000)}`, ms: new Int32(randomInt(random, 3000)), at: new Date() });
        this.#inserts++;
      } else if (roll < 0.85) {
        const result = await orders.updateOne({ _id: Long.fromNumber(randomInt(random, this.shape.orders)) }, { $set: { status: 'shipped', shippedAt: new Date() }, $inc: { edits: 1 } });
        this.#updates += result.modifiedCount;
      } else {
        const result = await orders.deleteOne({ _id: Long.fromNumber(randomInt(random, this.shape.orders)) });
        this.#deletes += result.deletedCount;
      }
      await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
    }
  }
}
