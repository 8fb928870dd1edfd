import { MongoClient } from 'mongodb';
import { usingRealDeployments, type TestDeployment, connectedDeployment } from '../../tools/deployments.js';
import { startServer, type RunningServer } from '../../harness/server.js';

/**
 * setUserWriteBlockMode (mongod 6.0+): with `{global: true}`, writes of clients without bypassWriteBlockingMode
 * (root, restore hold it) fail with UserWritesBlocked (371). Without auth every client bypasses it, as on mongod.
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

    it('checks its arguments and database as mongod does', async () => {
      await expect(client.db('admin').command({ setUserWriteBlockMode: 1 })).rejects.toMatchObject({ code: 40414 });
      await expect(client.db('write_block_test').command({ setUserWriteBlockMode: 1, global: true })).rejects.toMatchObject({ code: 13 });
    });
  });

  (usingRealDeployments ? describe.skip : describe)('with authentication', () => {
    let server: RunningServer;
    const users = [
      { user: 'admin', password: 'adminpw', roles: ['root'] },
      { user: 'writer', password: 'writerpw', roles: ['readWrite@app'] },
      { user: 'restorer', password: 'restorepw', roles: ['restore', 'readWriteAnyDatabase'] },
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
        await expect(writer.db('app').collection('c').insertOne({ by: 'writer' })).rejects.toMatchObject({ code: 371, codeName: 'UserWritesBlocked' });
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
  });
});
