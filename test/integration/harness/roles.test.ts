import { Long, type Document } from 'bson';
import { MongoClient } from 'mongodb';
import { startServer, type RunningServer } from '../../harness/server.js';

/**
 * Built-in roles and user management on the embedded server started with users. Each user below holds one role;
 * the expectations are mongod 7.0's (builtin_roles.yml and the commands' authorization checks).
 */
const USERS = [
  { user: 'root', password: 'p', roles: ['root'] },
  { user: 'reader', password: 'p', roles: ['read@shop'] },
  { user: 'writer', password: 'p', roles: ['readWrite@shop'] },
  { user: 'anyReader', password: 'p', roles: ['readAnyDatabase'] },
  { user: 'anyWriter', password: 'p', roles: ['readWriteAnyDatabase'] },
  { user: 'monitor', password: 'p', roles: ['clusterMonitor'] },
  { user: 'restorer', password: 'p', roles: ['restore'] },
  { user: 'backuper', password: 'p', roles: ['backup'] },
  { user: 'userAdmin', password: 'p', roles: ['userAdminAnyDatabase'] },
];

describe('embedded server roles', () => {
  let server: RunningServer;
  const clients = new Map<string, MongoClient>();

  function uriFor(user: string, password: string): string {
    const base = new URL(server.uri.replace(/^mongodb:/, 'http:'));
    return `mongodb://${user}:${password}@${base.host}/${base.search}`;
  }

  async function as(user: string, password = 'p'): Promise<MongoClient> {
    const key = `${user}:${password}`;
    let client = clients.get(key);
    if (!client) {
      client = new MongoClient(uriFor(user, password), { serverSelectionTimeoutMS: 5000 });
      await client.connect();
      clients.set(key, client);
    }
    return client;
  }

  beforeAll(async () => {
    server = await startServer({ users: USERS });
    await (await as('root')).db('shop').collection('orders').insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }] as Document[]);
  });

  afterAll(async () => {
    for (const client of clients.values()) await client.close();
    await server.stop();
  });

  describe('data roles', () => {
    it('lets a read user find but not insert, with mongod\'s message', async () => {
      const shop = (await as('reader')).db('shop');
      expect(await shop.collection('orders').countDocuments()).toBe(3);
      await expect(shop.collection('orders').insertOne({ _id: 9 } as Document)).rejects.toMatchObject({
        code: 13,
        codeName: 'Unauthorized',
        message: expect.stringMatching(/^not authorized on shop to execute command \{ insert: "orders", documents: \[ \{ _id: 9 \} \], ordered: true, .*\$db: "shop" \}$/),
      });
    });

    it('lets readWrite@shop write shop but not another database', async () => {
      const client = await as('writer');
      await client.db('shop').collection('carts').insertOne({ a: 1 });
      await client.db('shop').collection('carts').updateOne({ a: 1 }, { $set: { a: 2 } }, { upsert: true });
      await client.db('shop').collection('carts').deleteMany({});
      await expect(client.db('other').collection('c').insertOne({ a: 1 })).rejects.toMatchObject({
        code: 13,
        message: expect.stringMatching(/^not authorized on other to execute command \{ insert: "c"/),
      });
      await expect(client.db('other').collection('c').findOne({})).rejects.toMatchObject({ code: 13 });
    });

    it('lets readAnyDatabase list databases and read any normal database, but not write', async () => {
      const client = await as('anyReader');
      const dbs = await client.db('admin').command({ listDatabases: 1, authorizedDatabases: false, nameOnly: true });
      expect(dbs.databases.map((d: Document) => d.name)).toContain('shop');
      expect(await client.db('shop').collection('orders').countDocuments()).toBe(3);
      await expect(client.db('shop').collection('orders').insertOne({ a: 1 })).rejects.toMatchObject({ code: 13 });
    });

    it('refuses listDatabases with authorizedDatabases: false to a user without the listDatabases action', async () => {
      await expect((await as('reader')).db('admin').command({ listDatabases: 1, authorizedDatabases: false })).rejects.toMatchObject({ code: 13 });
    });

    it('lets a user list the collections of a database it has privileges in (authorizedCollections)', async () => {
      const reader = await as('reader');
      const names = await reader.db('shop').listCollections({}, { nameOnly: true, authorizedCollections: true }).toArray();
      expect(names.map((c) => c.name)).toContain('orders');
      await expect(reader.db('other').listCollections({}, { nameOnly: true, authorizedCollections: true }).toArray()).rejects.toMatchObject({ code: 13 });
      await expect((await as('monitor')).db('shop').listCollections().toArray()).rejects.toMatchObject({ code: 13 });
    });

    it('keeps readAnyDatabase out of local (any_normal excludes local and config)', async () => {
      await expect((await as('anyReader')).db('local').collection('oplog.rs').findOne({})).rejects.toMatchObject({ code: 13 });
    });

    it('lets a read user open a change stream on its database but not on the whole cluster', async () => {
      const reader = await as('reader');
      const opened = await reader.db('shop').command({ aggregate: 'orders', pipeline: [{ $changeStream: {} }], cursor: {} });
      expect(opened.cursor).toBeDefined();
      await expect(
        reader.db('admin').command({ aggregate: 1, pipeline: [{ $changeStream: { allChangesForCluster: true } }], cursor: {} }),
      ).rejects.toMatchObject({ code: 13 });
      const anyReader = await as('anyReader');
      const cluster = await anyReader.db('admin').command({ aggregate: 1, pipeline: [{ $changeStream: { allChangesForCluster: true } }], cursor: {} });
      expect(cluster.cursor).toBeDefined();
    });

    it('requires insert and remove on the target of $out', async () => {
      const pipeline = [{ $match: {} }, { $out: 'copy' }];
      await expect((await as('reader')).db('shop').collection('orders').aggregate(pipeline).toArray()).rejects.toMatchObject({ code: 13 });
    });
  });

  describe('cluster roles', () => {
    it.each([{ serverStatus: 1 }, { replSetGetStatus: 1 }])('lets clusterMonitor run %j', async (command) => {
      await expect((await as('monitor')).db('admin').command(command)).resolves.toMatchObject({ ok: 1 });
    });

    it('does not let clusterMonitor read user data', async () => {
      await expect((await as('monitor')).db('shop').collection('orders').findOne({})).rejects.toMatchObject({ code: 13 });
    });

    it.each([{ serverStatus: 1 }, { replSetGetStatus: 1 }])('refuses %j to a read user', async (command) => {
      await expect((await as('reader')).db('admin').command(command)).rejects.toMatchObject({ code: 13 });
    });

    it('lets root read admin.system.users and write anywhere', async () => {
      const root = await as('root');
      const users = await root.db('admin').collection('system.users').find({}).toArray();
      expect(users.map((u) => u._id)).toContain('admin.reader');
      await root.db('anywhere').collection('c').insertOne({ a: 1 });
    });
  });

  describe('write blocking', () => {
    afterEach(async () => {
      await (await as('root')).db('admin').command({ setUserWriteBlockMode: 1, global: false });
    });

    it('lets only bypassWriteBlockingMode holders (root, restore) write while user writes are blocked', async () => {
      await (await as('backuper')).db('admin').command({ setUserWriteBlockMode: 1, global: true });
      // A write error, as mongod reports a refused implicit create: {index, code, errmsg}, no codeName.
      await expect((await as('anyWriter')).db('shop').collection('blocked').insertOne({ a: 1 })).rejects.toMatchObject({ code: 371, errmsg: 'User writes blocked' });
      await expect((await as('writer')).db('shop').collection('blocked').insertOne({ a: 1 })).rejects.toMatchObject({ code: 371 });
      await (await as('restorer')).db('shop').collection('blocked').insertOne({ by: 'restore' });
      await (await as('root')).db('shop').collection('blocked').insertOne({ by: 'root' });
      expect(await (await as('root')).db('shop').collection('blocked').countDocuments()).toBe(2);
    });

    it('refuses setUserWriteBlockMode to a readWrite user', async () => {
      await expect((await as('writer')).db('admin').command({ setUserWriteBlockMode: 1, global: true })).rejects.toMatchObject({ code: 13 });
    });
  });

  describe('cursors', () => {
    it('refuses getMore on a cursor another user opened', async () => {
      const opened = await (await as('root')).db('shop').command({ find: 'orders', batchSize: 1 });
      const id = opened.cursor.id as Long;
      expect(id.isZero()).toBe(false);
      await expect((await as('writer')).db('shop').command({ getMore: id, collection: 'orders' })).rejects.toMatchObject({
        code: 13,
        message: `cursor id ${id.toString()} was not created by the authenticated user`,
      });
      const more = await (await as('root')).db('shop').command({ getMore: id, collection: 'orders' });
      expect(more.cursor.nextBatch).toHaveLength(2);
    });
  });

  describe('killCursors', () => {
    it('kills only the user\'s own cursors, unless it holds killAnyCursor (hostManager)', async () => {
      const root = await as('root');
      const open = async () => (await root.db('shop').command({ find: 'orders', batchSize: 1 })).cursor.id as Long;
      const first = await open();
      await expect((await as('writer')).db('shop').command({ killCursors: 'orders', cursors: [first] })).rejects.toMatchObject({ code: 13 });
      const killedByOwner = await root.db('shop').command({ killCursors: 'orders', cursors: [first] });
      expect(killedByOwner.cursorsKilled).toHaveLength(1);
      const second = await open();
      await root.db('admin').command({ createUser: 'hosts', pwd: 'p', roles: ['hostManager'] });
      const killedByHostManager = await (await as('hosts')).db('shop').command({ killCursors: 'orders', cursors: [second] });
      expect(killedByHostManager.cursorsKilled).toHaveLength(1);
    });
  });

  describe('user management', () => {
    it('creates users with roles as strings or {role, db}, and refuses a duplicate with 51003', async () => {
      const shop = (await as('root')).db('shop');
      await shop.command({ createUser: 'u1', pwd: 'pw1', roles: ['read', { role: 'readWrite', db: 'other' }] });
      await expect(shop.command({ createUser: 'u1', pwd: 'pw1', roles: [] })).rejects.toMatchObject({
        code: 51003,
        codeName: 'Location51003',
        message: 'User "u1@shop" already exists',
      });
      const info = await shop.command({ usersInfo: 'u1' });
      expect(info.users).toEqual([
        expect.objectContaining({ _id: 'shop.u1', user: 'u1', db: 'shop', roles: [{ role: 'read', db: 'shop' }, { role: 'readWrite', db: 'other' }], mechanisms: ['SCRAM-SHA-1', 'SCRAM-SHA-256'] }),
      ]);
      expect(info.users[0].credentials).toBeUndefined();
    });

    it('refuses an unknown role with RoleNotFound (31), and an admin-only role in another database', async () => {
      const shop = (await as('root')).db('shop');
      await expect(shop.command({ createUser: 'u2', pwd: 'p', roles: ['noSuchRole'] })).rejects.toMatchObject({ code: 31, message: 'Could not find role: noSuchRole@shop' });
      await expect(shop.command({ createUser: 'u2', pwd: 'p', roles: ['root'] })).rejects.toMatchObject({ code: 31, message: 'Could not find role: root@shop' });
    });

    it('answers dropUser of an unknown user with UserNotFound (11)', async () => {
      await expect((await as('root')).db('shop').command({ dropUser: 'ghost' })).rejects.toMatchObject({ code: 11, codeName: 'UserNotFound' });
    });

    it('lists users by name, by list, for the database and for all databases', async () => {
      const root = await as('root');
      const byList = await root.db('admin').command({ usersInfo: [{ user: 'reader', db: 'admin' }, 'writer'] });
      expect(byList.users.map((u: Document) => u.user)).toEqual(['reader', 'writer']);
      const all = await root.db('admin').command({ usersInfo: { forAllDBs: true } });
      expect(all.users.map((u: Document) => u._id)).toEqual(expect.arrayContaining(['admin.root', 'shop.u1']));
      const adminOnly = await root.db('admin').command({ usersInfo: 1 });
      expect(adminOnly.users.every((u: Document) => u.db === 'admin')).toBe(true);
      const filtered = await root.db('admin').command({ usersInfo: { forAllDBs: true }, filter: { db: 'shop' } });
      expect(filtered.users.map((u: Document) => u._id)).toEqual(['shop.u1']);
      await expect(root.db('admin').command({ usersInfo: 1, showPrivileges: true })).rejects.toMatchObject({
        code: 20,
        message: 'Privilege or restriction details require exact-match usersInfo queries',
      });
      const withCredentials = await root.db('admin').command({ usersInfo: 'reader', showCredentials: true, showPrivileges: true });
      expect(Object.keys(withCredentials.users[0].credentials)).toEqual(['SCRAM-SHA-1', 'SCRAM-SHA-256']);
      expect(withCredentials.users[0].inheritedPrivileges).toEqual(
        expect.arrayContaining([{ resource: { db: 'shop', collection: '' }, actions: expect.arrayContaining(['find', 'changeStream']) }]),
      );
    });

    it('lets a user see itself without viewUser, but not others', async () => {
      const reader = await as('reader');
      await expect(reader.db('admin').command({ usersInfo: 'reader' })).resolves.toMatchObject({ users: [expect.objectContaining({ user: 'reader' })] });
      await expect(reader.db('admin').command({ usersInfo: 'writer' })).rejects.toMatchObject({ code: 13 });
    });

    it('applies grantRolesToUser and revokeRolesFromUser to open connections', async () => {
      const root = await as('root');
      await root.db('admin').command({ createUser: 'grown', pwd: 'p', roles: [] });
      const grown = await as('grown');
      await expect(grown.db('shop').collection('orders').findOne({})).rejects.toMatchObject({ code: 13 });
      await root.db('admin').command({ grantRolesToUser: 'grown', roles: [{ role: 'read', db: 'shop' }] });
      await expect(grown.db('shop').collection('orders').findOne({ _id: 1 } as Document)).resolves.toEqual({ _id: 1 });
      await root.db('admin').command({ revokeRolesFromUser: 'grown', roles: [{ role: 'read', db: 'shop' }] });
      await expect(grown.db('shop').collection('orders').findOne({})).rejects.toMatchObject({ code: 13 });
      await root.db('admin').command({ dropUser: 'grown' });
      await expect(grown.db('shop').collection('orders').findOne({})).rejects.toMatchObject({ code: 13, message: 'Command find requires authentication' });
    });

    it('changes a password with updateUser', async () => {
      const root = await as('root');
      await root.db('admin').command({ createUser: 'rotating', pwd: 'old', roles: ['read'] });
      await root.db('admin').command({ updateUser: 'rotating', pwd: 'new' });
      await expect(as('rotating', 'old')).rejects.toMatchObject({ code: 18 });
      const client = await as('rotating', 'new');
      await expect(client.db('admin').command({ connectionStatus: 1 })).resolves.toMatchObject({ authInfo: { authenticatedUsers: [{ user: 'rotating', db: 'admin' }] } });
    });

    it('refuses updateUser of an unknown user and one without a field to change', async () => {
      const admin = (await as('root')).db('admin');
      await expect(admin.command({ updateUser: 'ghost', pwd: 'x' })).rejects.toMatchObject({ code: 11, message: 'User ghost@admin not found' });
      await expect(admin.command({ grantRolesToUser: 'ghost', roles: ['read'] })).rejects.toMatchObject({ code: 11, message: 'Could not find user "ghost" for db "admin"' });
      await expect(admin.command({ grantRolesToUser: 'reader', roles: [] })).rejects.toMatchObject({ code: 2, message: 'grantRolesToUser command requires a non-empty "roles" array' });
      await expect(admin.command({ updateUser: 'reader' })).rejects.toMatchObject({ code: 2 });
    });

    it('lets userAdminAnyDatabase manage users but not read data', async () => {
      const admin = await as('userAdmin');
      await admin.db('shop').command({ createUser: 'byAdmin', pwd: 'p', roles: ['read'] });
      await admin.db('shop').command({ dropUser: 'byAdmin' });
      await expect(admin.db('shop').collection('orders').findOne({})).rejects.toMatchObject({ code: 13 });
    });

    it('refuses createUser to a readWrite user, snipping the password from the message', async () => {
      const error = await (await as('writer')).db('shop').command({ createUser: 'x', pwd: 'secretPwd', roles: [] }).catch((e: Error) => e);
      expect(error).toMatchObject({ code: 13 });
      expect((error as Error).message).toContain('pwd: "xxx"');
      expect((error as Error).message).not.toContain('secretPwd');
    });

    it('describes built-in roles with rolesInfo', async () => {
      const reply = await (await as('root')).db('admin').command({ rolesInfo: 'readAnyDatabase', showPrivileges: true });
      expect(reply.roles).toHaveLength(1);
      expect(reply.roles[0]).toMatchObject({ role: 'readAnyDatabase', db: 'admin', isBuiltin: true, roles: [], inheritedRoles: [] });
      expect(reply.roles[0].privileges).toEqual(expect.arrayContaining([{ resource: { cluster: true }, actions: ['listDatabases'] }]));
    });
  });
});
