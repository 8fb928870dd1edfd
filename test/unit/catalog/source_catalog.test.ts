import { MongoServerError, type MongoClient } from 'mongodb';
import { CATALOG_READ_ATTEMPTS, readSourceCatalog } from '../../../src/catalog/source_catalog.js';

/** A source whose catalog changes under the reader: `listIndexes` of a vanished collection fails with code 26. */
function racingSource(collectionsPerRead: string[][], vanished: (read: number, coll: string) => boolean) {
  let read = -1;
  const client = {
    db: (name: string) => ({
      command: async () => ({ databases: [{ name: 'shop' }] }),
      listCollections: () => {
        read++;
        return { toArray: async () => collectionsPerRead[Math.min(read, collectionsPerRead.length - 1)].map((n) => ({ name: n, type: 'collection', options: {} })) };
      },
      collection: (coll: string) => ({
        listIndexes: () => ({
          toArray: async () => {
            if (vanished(read, coll)) throw new MongoServerError({ ok: 0, code: 26, errmsg: `ns does not exist: ${name}.${coll}` });
            return [{ v: 2, key: { _id: 1 }, name: '_id_' }];
          },
        }),
      }),
    }),
  };
  return { client: client as unknown as MongoClient, reads: () => read + 1 };
}

describe('readSourceCatalog', () => {
  it('reads the catalog again when a collection is renamed between listCollections and listIndexes', async () => {
    // First read lists "a", renamed to "b" before its indexes are read; the second read sees "b".
    const source = racingSource([['a'], ['b']], (read, coll) => read === 0 && coll === 'a');
    const entries = await readSourceCatalog(source.client, {});
    expect(entries.map((e) => `${e.ns.db}.${e.ns.coll}`)).toEqual(['shop.b']);
    expect(source.reads()).toBe(2);
  });

  it('gives up after a bounded number of reads when the catalog keeps changing', async () => {
    const source = racingSource([['a']], () => true);
    await expect(readSourceCatalog(source.client, {})).rejects.toMatchObject({ code: 26 });
    expect(source.reads()).toBe(CATALOG_READ_ATTEMPTS);
  });
});
