import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Binary, deserialize, serialize, type Document } from 'bson';
import { MongoClient, MongoServerError } from 'mongodb';
import { startServer, type RunningServer } from '../../harness/server.js';
import { RawWireClient } from '../../tools/raw_wire_client.js';
import { disconnect } from '../../tools/deployments.js';

/**
 * Authentication against the embedded server started with users (mongod --auth). These tests need the server's
 * own user seeding, so they run on the embedded server only.
 */

const USERS = [
  { user: 'root', password: 'rootPass', roles: ['root'] },
  { user: 'app', password: 'app:pass,with=odd chars', roles: ['readWrite@shop'] },
];

function uriWith(server: RunningServer, user: string, password: string, params = ''): string {
  const base = new URL(server.uri.replace(/^mongodb:/, 'http:'));
  return `mongodb://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${base.host}/${base.search}${params}`;
}

async function connected(uri: string): Promise<MongoClient> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  return client;
}

/** A minimal SCRAM client for driving the conversation by hand (the driver hides its steps). */
function scramClient(mechanism: 'SCRAM-SHA-1' | 'SCRAM-SHA-256', user: string, password: string) {
  const hash = mechanism === 'SCRAM-SHA-1' ? 'sha1' : 'sha256';
  const nonce = randomBytes(24).toString('base64');
  const bare = `n=${user},r=${nonce}`;
  return {
    first: new Binary(Buffer.from(`n,,${bare}`)),
    final(serverFirstPayload: Binary): { payload: Binary; serverSignature: string } {
      const serverFirst = Buffer.from(serverFirstPayload.buffer).toString('utf8');
      const attrs = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
      const input = mechanism === 'SCRAM-SHA-1' ? createHash('md5').update(`${user}:mongo:${password}`).digest('hex') : password;
      const salted = pbkdf2Sync(input, Buffer.from(attrs.s!, 'base64'), Number(attrs.i), hash === 'sha1' ? 20 : 32, hash);
      const clientKey = createHmac(hash, salted).update('Client Key').digest();
      const storedKey = createHash(hash).update(clientKey).digest();
      const withoutProof = `c=biws,r=${attrs.r}`;
      const authMessage = `${bare},${serverFirst},${withoutProof}`;
      const signature = createHmac(hash, storedKey).update(authMessage).digest();
      const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
      const serverKey = createHmac(hash, salted).update('Server Key').digest();
      return {
        payload: new Binary(Buffer.from(`${withoutProof},p=${proof.toString('base64')}`)),
        serverSignature: `v=${createHmac(hash, serverKey).update(authMessage).digest('base64')}`,
      };
    },
  };
}

const text = (payload: Binary) => Buffer.from(payload.buffer).toString('utf8');

describe('embedded server authentication', () => {
  let server: RunningServer;
  let root: MongoClient;

  beforeAll(async () => {
    server = await startServer({ users: USERS });
    root = await connected(uriWith(server, 'root', 'rootPass'));
    await root.db('admin').command({ createUser: 'sha1only', pwd: 'sha1Pass', roles: ['read'], mechanisms: ['SCRAM-SHA-1'] });
    await root.db('shop').command({ createUser: 'clerk', pwd: 'clerkPass', roles: ['read'] });
  });

  afterAll(() => disconnect(root, server));

  it('gives a connection string without credentials', () => {
    expect(server.uri).not.toContain('@');
    expect(server.uri).not.toContain('rootPass');
  });

  it.each(['SCRAM-SHA-1', 'SCRAM-SHA-256'])('authenticates the driver with authMechanism=%s', async (mechanism) => {
    const client = await connected(uriWith(server, 'app', USERS[1]!.password, `&authMechanism=${mechanism}`));
    try {
      const status = await client.db('shop').command({ connectionStatus: 1 });
      expect(status.authInfo.authenticatedUsers).toEqual([{ user: 'app', db: 'admin' }]);
      expect(status.authInfo.authenticatedUserRoles).toEqual([{ role: 'readWrite', db: 'shop' }]);
      await client.db('shop').collection('orders').insertOne({ sku: 'a' });
    } finally {
      await client.close();
    }
  });

  it('negotiates the mechanism from saslSupportedMechs when none is given', async () => {
    const client = await connected(uriWith(server, 'sha1only', 'sha1Pass'));
    try {
      const status = await client.db('admin').command({ connectionStatus: 1 });
      expect(status.authInfo.authenticatedUsers).toEqual([{ user: 'sha1only', db: 'admin' }]);
    } finally {
      await client.close();
    }
  });

  it('answers saslSupportedMechs with the mechanisms the user has, and leaves it out for an unknown user', async () => {
    const admin = root.db('admin');
    expect((await admin.command({ hello: 1, saslSupportedMechs: 'admin.sha1only' })).saslSupportedMechs).toEqual(['SCRAM-SHA-1']);
    expect((await admin.command({ hello: 1, saslSupportedMechs: 'admin.root' })).saslSupportedMechs).toEqual(['SCRAM-SHA-1', 'SCRAM-SHA-256']);
    expect((await admin.command({ hello: 1, saslSupportedMechs: 'admin.nobody' })).saslSupportedMechs).toBeUndefined();
  });

  it('authenticates a user of another database with authSource', async () => {
    const client = await connected(uriWith(server, 'clerk', 'clerkPass', '&authSource=shop'));
    try {
      const status = await client.db('shop').command({ connectionStatus: 1 });
      expect(status.authInfo.authenticatedUsers).toEqual([{ user: 'clerk', db: 'shop' }]);
    } finally {
      await client.close();
    }
  });

  it.each([
    ['a wrong password', 'app', 'wrong', ''],
    ['an unknown user (mongod does not reveal which)', 'nobody', 'whatever', ''],
    ['the right password in the wrong authSource', 'clerk', 'clerkPass', '&authSource=admin'],
    ['SCRAM-SHA-256 for a user that only has SCRAM-SHA-1 credentials', 'sha1only', 'sha1Pass', '&authMechanism=SCRAM-SHA-256'],
  ])('refuses %s with AuthenticationFailed (18)', async (_why, user, password, params) => {
    const client = new MongoClient(uriWith(server, user, password, params), { serverSelectionTimeoutMS: 2000 });
    try {
      await expect(client.connect()).rejects.toMatchObject({ code: 18, codeName: 'AuthenticationFailed', message: 'Authentication failed.' });
    } finally {
      await client.close();
    }
  });

  describe('before authentication', () => {
    let anonymous: MongoClient;

    beforeAll(async () => {
      anonymous = await connected(server.uri);
    });

    afterAll(async () => {
      await anonymous.close();
    });

    it.each([
      ['find', (c: MongoClient) => c.db('shop').collection('orders').findOne({})],
      ['insert', (c: MongoClient) => c.db('shop').collection('orders').insertOne({ a: 1 })],
      ['listDatabases', (c: MongoClient) => c.db('admin').admin().listDatabases()],
    ])('refuses %s with Unauthorized (13) "requires authentication"', async (name, run) => {
      const error = await run(anonymous).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect(error).toMatchObject({ code: 13, codeName: 'Unauthorized', message: `Command ${name} requires authentication` });
    });

    it.each([{ hello: 1 }, { ping: 1 }, { buildInfo: 1 }, { connectionStatus: 1 }])('allows %j', async (command) => {
      await expect(anonymous.db('admin').command(command)).resolves.toMatchObject({ ok: 1 });
    });

    it('reports no authenticated user in connectionStatus', async () => {
      const status = await anonymous.db('admin').command({ connectionStatus: 1 });
      expect(status.authInfo).toEqual({ authenticatedUsers: [], authenticatedUserRoles: [] });
    });
  });

  describe('the SASL conversation on the wire', () => {
    let client: RawWireClient;
    /** Replies with the driver's usual promotion (numbers as numbers), for plain comparisons. */
    const raw = { command: async (body: Document) => deserialize(serialize(await client.command(body))) };

    beforeEach(async () => {
      client = await RawWireClient.connect(server.uri);
    });

    afterEach(() => client.close());

    it('runs speculativeAuthenticate inside hello and finishes with one saslContinue (skipEmptyExchange)', async () => {
      const scram = scramClient('SCRAM-SHA-256', 'root', 'rootPass');
      const hello = await raw.command({
        hello: 1,
        speculativeAuthenticate: { saslStart: 1, mechanism: 'SCRAM-SHA-256', payload: scram.first, options: { skipEmptyExchange: true }, db: 'admin' },
        $db: 'admin',
      });
      const speculative = hello.speculativeAuthenticate as Document;
      expect(speculative).toMatchObject({ done: false });
      expect(Number(speculative.conversationId)).toBe(1);
      const { payload, serverSignature } = scram.final(speculative.payload);
      const final = await raw.command({ saslContinue: 1, conversationId: 1, payload, $db: 'admin' });
      expect(final.done).toBe(true);
      expect(text(final.payload)).toBe(serverSignature);
      const status = await raw.command({ connectionStatus: 1, $db: 'admin' });
      expect(status.authInfo.authenticatedUsers).toEqual([{ user: 'root', db: 'admin' }]);
    });

    it('ends with an empty exchange when the client does not ask to skip it', async () => {
      const scram = scramClient('SCRAM-SHA-1', 'root', 'rootPass');
      const start = await raw.command({ saslStart: 1, mechanism: 'SCRAM-SHA-1', payload: scram.first, $db: 'admin' });
      const { payload, serverSignature } = scram.final(start.payload);
      const second = await raw.command({ saslContinue: 1, conversationId: 1, payload, $db: 'admin' });
      expect(second.done).toBe(false);
      expect(text(second.payload)).toBe(serverSignature);
      expect((await raw.command({ find: 'c', $db: 'shop' })).code).toBe(13);
      const third = await raw.command({ saslContinue: 1, conversationId: 1, payload: new Binary(Buffer.alloc(0)), $db: 'admin' });
      expect(third.done).toBe(true);
      expect((await raw.command({ find: 'c', $db: 'shop' })).ok).toEqual(1);
    });

    it('leaves speculativeAuthenticate out of hello for an unknown user', async () => {
      const scram = scramClient('SCRAM-SHA-256', 'nobody', 'x');
      const hello = await raw.command({
        hello: 1,
        speculativeAuthenticate: { saslStart: 1, mechanism: 'SCRAM-SHA-256', payload: scram.first, db: 'admin' },
        $db: 'admin',
      });
      expect(hello.ok).toEqual(1);
      expect(hello.speculativeAuthenticate).toBeUndefined();
    });

    it.each([
      [{ saslStart: 1, mechanism: 'PLAIN', payload: new Binary(Buffer.from('\0u\0p')) }, 334, 'MechanismUnavailable', 'Received authentication for mechanism PLAIN which is not enabled'],
      [{ saslContinue: 1, conversationId: 1, payload: new Binary(Buffer.from('c=biws')) }, 17, 'ProtocolError', 'No SASL session state found'],
      [{ authenticate: 1, mechanism: 'MONGODB-X509' }, 334, 'MechanismUnavailable', expect.stringContaining('MONGODB-X509')],
    ] as [Document, number, string, unknown][])('refuses %j with %i %s', async (command, code, codeName, errmsg) => {
      const reply = await raw.command({ ...command, $db: command.authenticate ? '$external' : 'admin' });
      expect(reply).toMatchObject({ code, codeName, errmsg });
    });

    it('refuses a second user on an authenticated connection, as mongod 7.0', async () => {
      for (const [user, password] of [['root', 'rootPass'], ['sha1only', 'sha1Pass']] as const) {
        const scram = scramClient('SCRAM-SHA-1', user, password);
        const start = await raw.command({ saslStart: 1, mechanism: 'SCRAM-SHA-1', payload: scram.first, options: { skipEmptyExchange: true }, $db: 'admin' });
        const reply = await raw.command({ saslContinue: 1, conversationId: 1, payload: scram.final(start.payload).payload, $db: 'admin' });
        if (user === 'root') expect(reply.done).toBe(true);
        else expect(reply).toMatchObject({ code: 5626701, errmsg: 'Each client connection may only be authenticated once. Previously authenticated as: root@admin' });
      }
    });

    it('forgets the user on logout', async () => {
      const scram = scramClient('SCRAM-SHA-256', 'root', 'rootPass');
      const start = await raw.command({ saslStart: 1, mechanism: 'SCRAM-SHA-256', payload: scram.first, options: { skipEmptyExchange: true }, $db: 'admin' });
      await raw.command({ saslContinue: 1, conversationId: 1, payload: scram.final(start.payload).payload, $db: 'admin' });
      expect((await raw.command({ logout: 1, $db: 'admin' })).ok).toEqual(1);
      expect(await raw.command({ find: 'c', $db: 'shop' })).toMatchObject({ code: 13, errmsg: 'Command find requires authentication' });
    });
  });

  it('stores users in admin.system.users with mongod\'s document shape, readable by root', async () => {
    const doc = await root.db('admin').collection<Document>('system.users').findOne({ _id: 'admin.app' as never });
    expect(doc).toMatchObject({ _id: 'admin.app', user: 'app', db: 'admin', roles: [{ role: 'readWrite', db: 'shop' }] });
    expect(doc!.userId.sub_type).toBe(4);
    const indexes = await root.db('admin').collection('system.users').indexes();
    expect(indexes.map((i) => [i.name, i.key, i.unique ?? false])).toEqual([['_id_', { _id: 1 }, false], ['user_1_db_1', { user: 1, db: 1 }, true]]);
    for (const [mechanism, iterations] of [['SCRAM-SHA-1', 10000], ['SCRAM-SHA-256', 15000]] as const) {
      expect(doc!.credentials[mechanism]).toEqual({
        iterationCount: iterations,
        salt: expect.any(String),
        storedKey: expect.any(String),
        serverKey: expect.any(String),
      });
    }
  });
});

describe('embedded server without users', () => {
  it('lets every client do everything, as mongod without --auth', async () => {
    const server = await startServer();
    const client = await connected(server.uri);
    try {
      await client.db('shop').collection('c').insertOne({ a: 1 });
      await client.db('admin').command({ createUser: 'later', pwd: 'p', roles: ['root'] });
      expect(await client.db('shop').collection('c').countDocuments()).toBe(1);
      // Users may exist without auth being enforced; they can still log in.
      const authed = await connected(uriWith(server, 'later', 'p'));
      await authed.close();
    } finally {
      await client.close();
      await server.stop();
    }
  });
});

describe('npm run server -- --user', () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGTERM');
  });

  it('starts with the configured users and prints a ready line whose uri has no password', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'test/harness/cli.ts', '--port', '0', '--user', 'ops:s3cret:root', '--user', 'shopper:pw:readWrite@shop'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = createInterface({ input: child.stdout! });
    const uri = await new Promise<string>((resolve, reject) => {
      lines.on('line', (line) => line.startsWith('ready ') && resolve(line.slice('ready '.length)));
      child!.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    expect(uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\//);
    expect(uri).not.toContain('s3cret');
    expect(uri).not.toContain('@');
    const base = new URL(uri.replace(/^mongodb:/, 'http:'));
    const client = await connected(`mongodb://ops:s3cret@${base.host}/${base.search}`);
    try {
      const users = await client.db('admin').command({ usersInfo: 1 });
      expect(users.users.map((u: Document) => u.user)).toEqual(['ops', 'shopper']);
    } finally {
      await client.close();
    }
  });
});
