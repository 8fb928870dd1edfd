import type { Document } from 'bson';
import { MongoClient } from 'mongodb';
import { startServer, type RunningServer } from '../../harness/server.js';
import { disconnect } from '../../tools/deployments.js';

/**
 * listDatabases and listCollections filtered by the user's privileges, as mongod 7.0's list_databases.cpp
 * (authorizedDatabases defaults to true for a user without the cluster action listDatabases, and then lists the
 * databases where isAuthorizedForAnyActionOnAnyResourceInDB holds) and list_collections.cpp (authorizedCollections
 * keeps the namespaces where isAuthorizedForAnyActionOnResource holds: a database privilege covers its normal
 * collections and views, not system.views).
 */
const USERS = [
  { user: 'root', password: 'p', roles: ['root'] },
  { user: 'reader', password: 'p', roles: ['read@shop'] },
  { user: 'mixed', password: 'p', roles: ['read@shop', 'readWrite@inventory'] },
  { user: 'monitor', password: 'p', roles: ['clusterMonitor'] },
  { user: 'bare', password: 'p', roles: [] },
];

const ALL_DATABASES = ['admin', 'config', 'inventory', 'local', 'other', 'shop'];

describe('listDatabases and listCollections under authorization', () => {
  let server: RunningServer;
  const clients = new Map<string, MongoClient>();

  async function as(user: string): Promise<MongoClient> {
    let client = clients.get(user);
    if (!client) {
      const base = new URL(server.uri.replace(/^mongodb:/, 'http:'));
      client = new MongoClient(`mongodb://${user}:p@${base.host}/${base.search}`, { serverSelectionTimeoutMS: 5000 });
      await client.connect();
      clients.set(user, client);
    }
    return client;
  }

  async function databaseNamesOf(user: string, options: Document = {}): Promise<string[]> {
    const reply = await (await as(user)).db('admin').command({ listDatabases: 1, nameOnly: true, ...options });
    return reply.databases.map((d: Document) => d.name as string);
  }

  async function collectionNamesOf(user: string, db: string, filter: Document, options: Document): Promise<string[]> {
    const infos = await (await as(user)).db(db).listCollections(filter, options).toArray();
    return infos.map((c) => c.name).sort();
  }

  beforeAll(async () => {
    server = await startServer({ users: USERS });
    const root = await as('root');
    await root.db('shop').collection('orders').insertOne({ sku: 'a' });
    await root.db('shop').collection('carts').insertOne({ sku: 'b' });
    await root.db('shop').createCollection('recent', { viewOn: 'orders', pipeline: [] });
    await root.db('inventory').collection('items').insertOne({ sku: 'c' });
    await root.db('other').collection('c').insertOne({ sku: 'd' });
  });

  afterAll(async () => {
    for (const client of clients.values()) await client.close();
    await server.stop();
  });

  describe('listDatabases', () => {
    it.each([
      ['root', {}, ALL_DATABASES],
      ['root', { authorizedDatabases: true }, ALL_DATABASES],
      ['monitor', {}, ALL_DATABASES],
      ['reader', {}, ['shop']],
      ['reader', { authorizedDatabases: true }, ['shop']],
      ['mixed', {}, ['inventory', 'shop']],
      ['mixed', { filter: { name: 'inventory' } }, ['inventory']],
      ['bare', {}, []],
    ] as [string, Document, string[]][])('lists for %s with %j: %j', async (user, options, expected) => {
      expect(await databaseNamesOf(user, options)).toEqual(expected);
    });

    it('lists only privileged databases when the listDatabases action is held but authorizedDatabases is true', async () => {
      // clusterMonitor holds privileges on anyNormal and on the collection name system.profile, which every
      // database may hold: mongod's isAuthorizedForAnyActionOnAnyResourceInDB is true for all of them.
      expect(await databaseNamesOf('monitor', { authorizedDatabases: true })).toEqual(ALL_DATABASES);
    });

    it('sums the sizes of the listed databases only', async () => {
      const reader = await (await as('reader')).db('admin').command({ listDatabases: 1 });
      const root = await (await as('root')).db('admin').command({ listDatabases: 1 });
      expect(reader.databases).toEqual([{ name: 'shop', sizeOnDisk: expect.anything(), empty: false }]);
      expect(Number(reader.totalSize)).toBe(Number(reader.databases[0].sizeOnDisk));
      expect(Number(root.totalSize)).toBeGreaterThan(Number(reader.totalSize));
    });

    it('refuses authorizedDatabases: false without the listDatabases action, with mongod\'s message', async () => {
      await expect((await as('reader')).db('admin').command({ listDatabases: 1, authorizedDatabases: false })).rejects.toMatchObject({
        code: 13,
        codeName: 'Unauthorized',
        message: 'Insufficient permissions to list all databases',
      });
      expect(await databaseNamesOf('monitor', { authorizedDatabases: false })).toEqual(ALL_DATABASES);
    });

    it('refuses a non-boolean authorizedDatabases with TypeMismatch', async () => {
      await expect((await as('root')).db('admin').command({ listDatabases: 1, authorizedDatabases: 'yes' })).rejects.toMatchObject({
        code: 14,
        message: "BSON field 'listDatabases.authorizedDatabases' is the wrong type 'string', expected type 'bool'",
      });
    });
  });

  describe('listCollections', () => {
    it.each([
      ['root', 'shop', ['carts', 'orders', 'recent', 'system.views']],
      ['reader', 'shop', ['carts', 'orders', 'recent']],
      ['mixed', 'inventory', ['items']],
      ['monitor', 'shop', ['carts', 'orders', 'recent']],
    ])('lists for %s in %s with authorizedCollections and nameOnly: %j', async (user, db, expected) => {
      expect(await collectionNamesOf(user, db, {}, { nameOnly: true, authorizedCollections: true })).toEqual(expected);
    });

    it('lists system collections to a user with listCollections when authorizedCollections is not set', async () => {
      expect(await collectionNamesOf('reader', 'shop', {}, { nameOnly: true })).toEqual(['carts', 'orders', 'recent', 'system.views']);
    });

    it('filters full entries too when authorizedCollections is set without nameOnly', async () => {
      const infos = await (await as('reader')).db('shop').listCollections({}, { authorizedCollections: true }).toArray();
      expect(infos.map((c) => c.name).sort()).toEqual(['carts', 'orders', 'recent']);
      expect(infos.find((c) => c.name === 'orders')).toMatchObject({ type: 'collection', info: { readOnly: false } });
    });

    it('applies the filter after the authorization filter', async () => {
      expect(await collectionNamesOf('reader', 'shop', { name: { $in: ['orders', 'system.views'] } }, { nameOnly: true, authorizedCollections: true })).toEqual(['orders']);
    });

    it('refuses a database without any privilege (Unauthorized)', async () => {
      await expect(collectionNamesOf('mixed', 'other', {}, { nameOnly: true, authorizedCollections: true })).rejects.toMatchObject({ code: 13 });
      await expect(collectionNamesOf('bare', 'shop', {}, { nameOnly: true, authorizedCollections: true })).rejects.toMatchObject({ code: 13 });
    });
  });
});

describe('listDatabases and listCollections without auth', () => {
  let server: RunningServer;
  let client: MongoClient;

  beforeAll(async () => {
    server = await startServer();
    client = new MongoClient(server.uri);
    await client.connect();
    await client.db('shop').createCollection('recent', { viewOn: 'orders', pipeline: [] });
  });

  afterAll(() => disconnect(client, server));

  it('lists everything whatever authorizedDatabases and authorizedCollections say', async () => {
    const dbs = await client.db('admin').command({ listDatabases: 1, nameOnly: true, authorizedDatabases: true });
    expect(dbs.databases.map((d: Document) => d.name)).toEqual(['admin', 'config', 'local', 'shop']);
    const names = (await client.db('shop').listCollections({}, { nameOnly: true, authorizedCollections: true }).toArray()).map((c) => c.name);
    expect(names.sort()).toEqual(['recent', 'system.views']);
  });
});
