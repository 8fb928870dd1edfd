/**
 * Seeded benchmark documents of about 1 KB: a few typed scalars, an embedded document, an array and a text field
 * whose length varies, so that the server and the copier see realistic, not identical, documents. Document `i` of a
 * seed is always the same (its generator derives from seed + index), so every run copies the same bytes.
 */
import { BSON, Double, Int32, type Document } from 'mongodb';
import { randomFor, randomInt, TEST_SEED } from '../../test/tools/random.js';

/** Words the text fields are made of; picking words is much cheaper than picking characters. */
const WORDS = (
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo ' +
  'sierra tango uniform victor whiskey xray yankee zulu amber basalt cobalt dune ember fjord granite harbor ' +
  'iris jasper kelp lagoon meadow nectar opal prairie quartz reef saffron tundra umber valley willow zephyr'
).split(' ');

const CITIES = ['Lisbon', 'Osaka', 'Denver', 'Nairobi', 'Tallinn', 'Recife', 'Perth', 'Quebec'];

function words(random: () => number, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(WORDS[randomInt(random, WORDS.length)]);
  return out.join(' ');
}

/** Document `index` (its `_id` is `index`), about 1 KB of BSON (900 to 1,150 bytes). */
export function benchDocument(index: number, seed = TEST_SEED): Document {
  const random = randomFor(index, seed);
  return {
    _id: index,
    sku: `sku-${randomInt(random, 100_000).toString().padStart(6, '0')}`,
    qty: new Int32(randomInt(random, 100)),
    price: new Double(Math.round(random() * 100_000) / 100),
    createdAt: new Date(1_700_000_000_000 + randomInt(random, 31_536_000) * 1000),
    customer: { name: words(random, 2), email: `user${randomInt(random, 1_000_000)}@example.com`, city: CITIES[randomInt(random, CITIES.length)] },
    tags: [words(random, 1), words(random, 1), words(random, 1)],
    // ~6.6 characters per word: 115 to 150 words make the document about 1 KB.
    note: words(random, 115 + randomInt(random, 36)),
  };
}

/** A block of consecutive documents, `[start, start + count)`. */
export function benchDocuments(start: number, count: number, seed = TEST_SEED): Document[] {
  const docs: Document[] = [];
  for (let i = start; i < start + count; i++) docs.push(benchDocument(i, seed));
  return docs;
}

/** Total BSON size of documents, in bytes. */
export function bsonBytes(docs: readonly Document[]): number {
  let total = 0;
  for (const doc of docs) total += BSON.calculateObjectSize(doc);
  return total;
}
