import { MongoClient, Timestamp, type Document } from 'mongodb';
import { usingRealDeployments, itEmbedded, type TestDeployment, connectedDeployment } from '../../tools/deployments.js';
import { startServer, type RunningServer } from '../../harness/server.js';
import type { AnyDocument } from '../../tools/documents.js';

/**
 * setUserWriteBlockMode (mongod 6.0+), from mongod's source:
 * - set_user_write_block_mode_command.cpp: `{global: bool}` (required), not adminOnly (any database), refused on a
 *   standalone (IllegalOperation) and given a writeConcern (supportsWriteConcern() is false: InvalidOptions
 *   "Command does not support writeConcern"); it waits for majority itself. Enabling aborts running index builds and
 *   takes the global lock in X mode, so every write acknowledged before it precedes it in the oplog.
 * - user_writes_recoverable_critical_section_service.cpp: the state is the document `{_id: "",
 *   blockNewUserShardedDDL: false, blockUserWrites: true}` of config.user_writes_critical_sections, inserted to
 *   block, deleted to unblock, untouched when already so (the reply's operationTime is then the last optime).
 * - UserWriteBlockModeOpObserver + GlobalUserWriteBlockState::checkUserWritesAllowed: on a replica set primary,
 *   inserts, updates, deletes (in transactions too: the observer runs per statement), collection create/drop,
 *   dropDatabase, rename, index creation/drop and collMod fail with UserWritesBlocked (371) "User writes blocked",
 *   except on admin, config and local (isOnInternalDb) and for clients that may bypass it.
 * - write_block_bypass.cpp / AuthorizationSessionImpl: a client bypasses when auth is off (every client), or when
 *   its user has bypassWriteBlockingMode on the cluster (restore, root, __system).
 * - ReplicationInfoServerStatus: serverStatus `repl.userWriteBlockMode` is 1 (off) or 2 (on).
 * Reads and change streams are not write-checked, so they go on.
 */
describe('user write blocking', () => {
  describe('without authentication', () => {
    let deployment: TestDeployment;
    let client: MongoClient;

    beforeAll(async () => {
      ({ deployment: deployment, client: client } = await connectedDeployment());
    });

    afterAll(async () => {
      await client.db('admin').command({ setUserWriteBlockMode: 1, global: false }).catch(() => {});
      await client.db('write_block_test').dropDatabase().catch(() => {});
      await client.close();
      await deployment.stop();
    });

    it('answers ok and lets every client write, since every client bypasses blocking without auth', async () => {
      await expect(client.db('admin').command({ setUserWriteBlockMode: 1, global: true })).resolves.toMatchObject({ ok: 1 });
      await client.db('write_block_test').collection('c').insertOne({ during: true });
      await expect(client.db('admin').command({ setUserWriteBlockMode: 1, global: false })).resolves.toMatchObject({ ok: 1 });
      expect(await client.db('write_block_test').collection('c').countDocuments()).toBe(1);
    });

    it('checks its arguments, runs on any database and refuses a writeConcern, as mongod does', async () => {
      await expect(client.db('admin').command({ setUserWriteBlockMode: 1 })).rejects.toMatchObject({ code: 40414 });
      await expect(client.db('admin').command({ setUserWriteBlockMode: 1, global: 1 })).rejects.toMatchObject({ code: 14 });
      await expect(client.db('admin').command({ setUserWriteBlockMode: 1, global: true, writeConcern: { w: 'majority' } })).rejects.toMatchObject({
        code: 72, codeName: 'InvalidOptions', errmsg: 'Command does not support writeConcern',
      });
      expect(await blockMode()).toBe(1);
      await expect(client.db('write_block_test').command({ setUserWriteBlockMode: 1, global: true })).resolves.toMatchObject({ ok: 1 });
      expect(await blockMode()).toBe(2);
      await expect(client.db('write_block_test').command({ setUserWriteBlockMode: 1, global: false })).resolves.toMatchObject({ ok: 1 });
      expect(await blockMode()).toBe(1);
    });

    async function blockMode(): Promise<number> {
      return (await client.db('admin').command({ serverStatus: 1 })).repl.userWriteBlockMode;
    }

    async function criticalSectionEntries(): Promise<Document[]> {
      return client.db('local').collection('oplog.rs').find({ ns: 'config.user_writes_critical_sections' }).sort({ $natural: 1 }).toArray();
    }

    it('persists the block in config.user_writes_critical_sections, once, and its reply is a fence for earlier writes', async () => {
      const before = (await criticalSectionEntries()).length;
      await client.db('write_block_test').collection('fence').insertOne({ before: true });
      const on = await client.db('admin').command({ setUserWriteBlockMode: 1, global: true });
      const sections = client.db('config').collection('user_writes_critical_sections');
      expect(await sections.find().toArray()).toEqual([{ _id: '', blockNewUserShardedDDL: false, blockUserWrites: true }]);
      let entries = await criticalSectionEntries();
      expect(entries).toHaveLength(before + 1);
      const insert = entries[entries.length - 1];
      expect(insert).toMatchObject({ op: 'i', o: { _id: '', blockNewUserShardedDDL: false, blockUserWrites: true } });
      // The reply's operationTime is the insert's optime, after every write acknowledged before the command.
      expect((on.operationTime as Timestamp).equals(insert.ts)).toBe(true);
      const [write] = await client.db('local').collection('oplog.rs').find({ ns: 'write_block_test.fence' }).sort({ $natural: -1 }).limit(1).toArray();
      expect((write.ts as Timestamp).lessThan(insert.ts)).toBe(true);
      // Blocking again writes nothing; its operationTime is still at least the block's.
      const again = await client.db('admin').command({ setUserWriteBlockMode: 1, global: true });
      expect((again.operationTime as Timestamp).greaterThanOrEqual(on.operationTime)).toBe(true);
      expect(await criticalSectionEntries()).toHaveLength(before + 1);
      await client.db('admin').command({ setUserWriteBlockMode: 1, global: false });
      expect(await sections.countDocuments()).toBe(0);
      entries = await criticalSectionEntries();
      expect(entries).toHaveLength(before + 2);
      expect(entries[entries.length - 1]).toMatchObject({ op: 'd', o: { _id: '' } });
      await client.db('admin').command({ setUserWriteBlockMode: 1, global: false });
      expect(await criticalSectionEntries()).toHaveLength(before + 2);
    });
  });

  describe('on a standalone', () => {
    itEmbedded('is refused with IllegalOperation', async () => {
      const standalone = await startServer({ standalone: true });
      const client = new MongoClient(standalone.uri, { directConnection: true, serverSelectionTimeoutMS: 5000 });
      try {
        await expect(client.db('admin').command({ setUserWriteBlockMode: 1, global: true })).rejects.toMatchObject({
          code: 20, codeName: 'IllegalOperation', errmsg: 'setUserWriteBlockMode cannot be run on standalones',
        });
      } finally {
        await client.close();
        await standalone.stop();
      }
    });
  });

  (usingRealDeployments ? describe.skip : describe)('with authentication', () => {
    let server: RunningServer;
    const users = [
      { user: 'admin', password: 'adminpw', roles: ['root'] },
      { user: 'writer', password: 'writerpw', roles: ['readWrite@app'] },
      { user: 'restorer', password: 'restorepw', roles: ['restore', 'readWriteAnyDatabase'] },
      { user: 'dba', password: 'dbapw', roles: ['readWriteAnyDatabase', 'dbAdminAnyDatabase'] },
    ];
    const clientFor = (user: string, password: string) =>
      new MongoClient(server.uri, { auth: { username: user, password }, authSource: 'admin', serverSelectionTimeoutMS: 5000 });

    beforeAll(async () => {
      server = await startServer({ users });
    });

    afterAll(async () => {
      await server.stop();
    });

    it('blocks a readWrite user with UserWritesBlocked while root and restore users still write', async () => {
      const admin = clientFor('admin', 'adminpw');
      const writer = clientFor('writer', 'writerpw');
      const restorer = clientFor('restorer', 'restorepw');
      try {
        await Promise.all([admin.connect(), writer.connect(), restorer.connect()]);
        await admin.db('admin').command({ setUserWriteBlockMode: 1, global: true });
        // A write error (the implicit create is refused in mongod's per-document error handling): no codeName.
        await expect(writer.db('app').collection('c').insertOne({ by: 'writer' })).rejects.toMatchObject({ code: 371, errmsg: 'User writes blocked' });
        await admin.db('app').collection('c').insertOne({ by: 'root' });
        await restorer.db('app').collection('c').insertOne({ by: 'restore' });
        await expect(writer.db('admin').command({ setUserWriteBlockMode: 1, global: false })).rejects.toMatchObject({ code: 13 });
        await admin.db('admin').command({ setUserWriteBlockMode: 1, global: false });
        await writer.db('app').collection('c').insertOne({ by: 'writer' });
        expect((await admin.db('app').collection('c').find({}, { projection: { _id: 0 } }).toArray()).map((d) => d.by).sort()).toEqual(['restore', 'root', 'writer']);
      } finally {
        await Promise.all([admin.close(), writer.close(), restorer.close()]);
      }
    });

    it('blocks every user write and DDL of a client without the bypass, outside admin, config and local', async () => {
      const admin = clientFor('admin', 'adminpw');
      const dba = clientFor('dba', 'dbapw');
      try {
        await Promise.all([admin.connect(), dba.connect()]);
        const app = dba.db('ddl');
        const c = app.collection<AnyDocument>('c');
        await c.insertMany([{ _id: 1, a: 1 }, { _id: 2, a: 2 }]);
        await c.createIndex({ a: 1 });
        await app.createCollection('gone');
        await admin.db('admin').command({ setUserWriteBlockMode: 1, global: true });
        // Writes fail with a write error {index, code, errmsg} (no codeName), commands with {code, codeName}.
        const blocked = { code: 371 };
        await expect(c.insertOne({ _id: 3 })).rejects.toMatchObject(blocked);
        await expect(c.updateOne({ _id: 1 }, { $set: { b: 1 } })).rejects.toMatchObject(blocked);
        await expect(c.updateOne({ _id: 9 }, { $set: { b: 1 } }, { upsert: true })).rejects.toMatchObject(blocked);
        await expect(c.deleteOne({ _id: 1 })).rejects.toMatchObject(blocked);
        await expect(c.findOneAndUpdate({ _id: 1 }, { $set: { b: 1 } })).rejects.toMatchObject(blocked);
        await expect(app.collection<AnyDocument>('new').insertOne({ _id: 1 })).rejects.toMatchObject(blocked);
        await expect(app.createCollection('created')).rejects.toMatchObject({ code: 371, codeName: 'UserWritesBlocked', errmsg: 'User writes blocked' });
        await expect(c.createIndex({ b: 1 })).rejects.toMatchObject(blocked);
        // An index that exists already builds nothing, so it is not refused.
        await expect(app.command({ createIndexes: 'c', indexes: [{ key: { a: 1 }, name: 'a_1' }] })).resolves.toMatchObject({ note: 'all indexes already exist' });
        await expect(c.dropIndex('a_1')).rejects.toMatchObject(blocked);
        await expect(app.command({ collMod: 'c', index: { name: 'a_1', hidden: true } })).rejects.toMatchObject(blocked);
        await expect(app.command({ collMod: 'c', index: { name: 'a_1', prepareUnique: true } })).rejects.toMatchObject(blocked);
        await expect(c.rename('renamed')).rejects.toMatchObject(blocked);
        await expect(app.collection('gone').drop()).rejects.toMatchObject(blocked);
        await expect(dba.db('ddl').dropDatabase()).rejects.toMatchObject(blocked);
        // Errors of the request itself come first; a dry run writes nothing, so it is not blocked.
        await expect(app.command({ collMod: 'c', index: { name: 'nope', hidden: true } })).rejects.toMatchObject({ code: 27 });
        await expect(app.command({ collMod: 'c', index: { name: 'a_1', unique: true }, dryRun: true })).rejects.toMatchObject({ code: 72 });
        // Internal databases stay writable.
        await dba.db('admin').collection('notes').insertOne({ during: true });
        // Reads go on.
        expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 1, a: 1 }, { _id: 2, a: 2 }]);
        expect(await c.countDocuments()).toBe(2);
        await admin.db('admin').command({ setUserWriteBlockMode: 1, global: false });
        await c.insertOne({ _id: 3 });
        await c.createIndex({ b: 1 });
      } finally {
        await admin.db('admin').command({ setUserWriteBlockMode: 1, global: false }).catch(() => {});
        await Promise.all([admin.close(), dba.close()]);
      }
    });

    it('blocks writes inside a transaction, and leaves change streams running', async () => {
      const admin = clientFor('admin', 'adminpw');
      const writer = clientFor('writer', 'writerpw');
      try {
        await Promise.all([admin.connect(), writer.connect()]);
        const coll = writer.db('app').collection<AnyDocument>('txn');
        await coll.insertOne({ _id: 'seed' });
        const stream = writer.db('app').collection('txn').watch();
        await stream.tryNext();
        await admin.db('admin').command({ setUserWriteBlockMode: 1, global: true });
        const session = writer.startSession();
        try {
          session.startTransaction();
          await expect(coll.insertOne({ _id: 'in-txn' }, { session })).rejects.toMatchObject({ code: 371 });
          await session.abortTransaction().catch(() => {});
        } finally {
          await session.endSession();
        }
        // The root user (which may bypass) still writes, and the blocked user's stream sees it.
        await admin.db('app').collection<AnyDocument>('txn').insertOne({ _id: 'by-root' });
        let event = await stream.tryNext();
        while (!event) event = await stream.tryNext();
        expect(event).toMatchObject({ operationType: 'insert', documentKey: { _id: 'by-root' } });
        await stream.close();
        expect(await coll.countDocuments({ _id: 'in-txn' })).toBe(0);
      } finally {
        await admin.db('admin').command({ setUserWriteBlockMode: 1, global: false }).catch(() => {});
        await Promise.all([admin.close(), writer.close()]);
      }
    });
  });
});
