import {
  Binary,
  BSONRegExp,
  BSONSymbol,
  Decimal128,
  Double,
  EJSON,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
  type Document,
} from 'bson';
import { MongoClient, type Collection } from 'mongodb';
import { type TestDeployment, connectedDeployment } from '../../tools/deployments.js';

/**
 * `_id` values of every type an `_id` may have, in MongoDB's comparison order (manual: "Comparison/Sort Order"):
 * MinKey, null, numbers (int, long, double, decimal compared by value, NaN lowest), strings and symbols (compared as
 * strings), embedded documents (element by element: the canonical type of the value first, then the field name, then
 * the value; a prefix first), binData (length, then subtype, then bytes), ObjectId, booleans, dates (signed),
 * timestamps, MaxKey. Regexes, arrays and undefined are refused as `_id`.
 */
const IDS_IN_ORDER: readonly unknown[] = [
  new MinKey(),
  null,
  new Double(NaN),
  new Double(-Infinity),
  Long.fromString('-9007199254740993'),
  new Double(-9007199254740992),
  new Int32(-5),
  new Double(-0.0),
  Decimal128.fromString('0.5'),
  new Int32(1),
  new Double(1.5),
  Long.fromNumber(2),
  new Double(9007199254740992),
  // Beyond 2^53: a double cannot hold it, the comparison must not round it to one.
  Long.fromString('9007199254740993'),
  Decimal128.fromString('1E+30'),
  new Double(Infinity),
  '',
  'A',
  'a',
  new BSONSymbol('ab'),
  'abc',
  new BSONSymbol('b'),
  'é',
  {},
  // The canonical type of the first value decides before the field name: a number sorts below a string.
  { z: 1 },
  { a: 'z' },
  { b: 'a' },
  { b: 'a', a: 1 },
  { b: 'a', c: 0 },
  { b: 'b' },
  { b: { x: 1 } },
  new Binary(Buffer.from([0xff]), 0),
  new Binary(Buffer.from([0x00]), 4),
  new Binary(Buffer.from([0x00, 0x00]), 0),
  new ObjectId('000000000000000000000000'),
  new ObjectId('5f0000000000000000000001'),
  new ObjectId('ffffffffffffffffffffffff'),
  false,
  true,
  new Date(-86_400_000),
  new Date(0),
  new Date(1_700_000_000_000),
  new Timestamp({ t: 0, i: 1 }),
  new Timestamp({ t: 1, i: 0 }),
  // Timestamps compare unsigned: the top bit set is the largest.
  new Timestamp({ t: 0x80000000, i: 0 }),
  new MaxKey(),
];

const EXACT = { promoteValues: false, promoteLongs: false, promoteBuffers: false, bsonRegExp: true } as const;

function show(values: readonly unknown[]): string[] {
  return values.map((v) => EJSON.stringify({ v }, { relaxed: false }));
}

describe('_id ordering across BSON types through the driver', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  let coll: Collection<Document>;

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
    coll = client.db('id_ordering').collection('mixed');
    await coll.drop().catch(() => undefined);
    // Inserted in a scrambled but fixed order, so that natural order tells nothing.
    const scrambled = IDS_IN_ORDER.map((_id, i) => ({ _id, i })).sort((x, y) => ((x.i * 7919) % 101) - ((y.i * 7919) % 101));
    // A command rather than insertMany: the driver replaces a null _id with a new ObjectId.
    await client.db('id_ordering').command({ insert: 'mixed', documents: scrambled, ordered: true });
  });

  afterAll(async () => {
    await client.db('id_ordering').dropDatabase();
    await client.close();
    await deployment.stop();
  });

  async function ids(cursorOf: (c: Collection<Document>) => ReturnType<Collection<Document>['find']>): Promise<string[]> {
    return show((await cursorOf(coll).toArray()).map((d) => d._id));
  }

  it('sorts ascending in MongoDB\'s comparison order', async () => {
    expect(await ids((c) => c.find({}, EXACT).sort({ _id: 1 }))).toEqual(show(IDS_IN_ORDER));
  });

  it('sorts descending in the reverse order', async () => {
    expect(await ids((c) => c.find({}, EXACT).sort({ _id: -1 }))).toEqual(show([...IDS_IN_ORDER].reverse()));
  });

  /** Index bounds on {_id: 1}: min inclusive, max exclusive, positions in the key order across types. */
  it.each([
    ['everything below MaxKey', new MinKey(), new MaxKey(), (i: number) => i < IDS_IN_ORDER.length - 1],
    ['the numbers (NaN is the lowest number, the empty string the lowest string)', new Double(NaN), '', isBetween(new Double(NaN), '')],
    ['strings and symbols', '', {}, isBetween('', {})],
    ['from a Long beyond 2^53 to the strings', Long.fromString('9007199254740993'), 'A', isBetween(Long.fromString('9007199254740993'), 'A')],
    ['embedded documents up to binData', {}, new Binary(Buffer.alloc(0), 0), isBetween({}, new Binary(Buffer.from([0xff]), 0))],
    ['booleans, dates and timestamps', false, new MaxKey(), isBetween(false, new MaxKey())],
    ['null alone', null, new Double(NaN), isBetween(null, new Double(NaN))],
  ] as [string, unknown, unknown, (i: number) => boolean][])('returns %s for a min/max range', async (_name, min, max, keep) => {
    const expected = IDS_IN_ORDER.filter((_v, i) => keep(i));
    expect(expected.length).toBeGreaterThan(0);
    expect(await ids((c) => c.find({}, { ...EXACT, min: { _id: min }, max: { _id: max }, hint: { _id: 1 } }))).toEqual(show(expected));
  });

  it('applies the filter within the min/max range', async () => {
    const got = await ids((c) => c.find({ i: { $mod: [2, 0] } }, { ...EXACT, min: { _id: '' }, max: { _id: {} }, hint: { _id: 1 } }));
    const expected = IDS_IN_ORDER.filter((_v, i) => i % 2 === 0 && isBetween('', {})(i));
    expect(got).toEqual(show(expected));
  });

  it.each([
    ['a regex', new BSONRegExp('^a', 'i'), "can't use a regex for _id"],
    ['an array', [1, 2], "can't use an array for _id"],
  ])('refuses %s as _id with BadValue', async (_name, _id, message) => {
    await expect(coll.insertOne({ _id } as Document)).rejects.toMatchObject({ code: 2, message });
  });

  it.each([
    ['at the top of the _id', { $a: 1 }, '$a'],
    ['nested in the _id', { a: { $b: 1 } }, '$b'],
  ])("refuses '$'-prefixed fields %s with DollarPrefixedFieldName (52), wherever the _id stands", async (_where, _id, field) => {
    const message = `_id fields may not contain '$'-prefixed fields: ${field} is not valid for storage.`;
    await expect(coll.insertOne({ _id } as Document)).rejects.toMatchObject({ code: 52, message });
    await expect(coll.insertOne({ x: 1, _id } as Document)).rejects.toMatchObject({ code: 52, message });
  });

  /** The positions of IDS_IN_ORDER from the first one at or above `min` to the last one below `max`. */
  function isBetween(min: unknown, max: unknown): (i: number) => boolean {
    const minAt = IDS_IN_ORDER.findIndex((v) => EJSON.stringify({ v }, { relaxed: false }) === EJSON.stringify({ v: min }, { relaxed: false }));
    const maxAt = IDS_IN_ORDER.findIndex((v) => EJSON.stringify({ v }, { relaxed: false }) === EJSON.stringify({ v: max }, { relaxed: false }));
    if (minAt < 0 || maxAt < 0) throw new Error(`bounds must be listed ids: ${EJSON.stringify({ min, max })}`);
    return (i) => i >= minAt && i < maxAt;
  }
});
