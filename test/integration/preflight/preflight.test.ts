import net from 'node:net';
import { MongoClient } from 'mongodb';
import { startServer, type RunningServer } from '../../harness/server.js';
import type { ServerOptions } from '../../harness/server_options.js';
import { usingRealDeployments } from '../../tools/deployments.js';
import { runSync, writeSyncConfig, type CliRun } from '../../tools/run_cli.js';
import type { AnyDocument } from '../../tools/documents.js';

/**
 * Every preflight refusal of `sync start --once`, through the CLI: exit code 3, the PREFLIGHT code, a hint that
 * says what to do, and nothing written to either side. These need the embedded server's own features (users,
 * standalone mode, a port known to be closed), so they are skipped against real deployments.
 */
const describeEmbedded = usingRealDeployments ? describe.skip : describe;

const INTERNAL_DB = '__c2c_sync_internal';
const ROOT = { user: 'admin', password: 'root-password', roles: ['root'] };
const SHOP_APP = { user: 'app', password: 'app-password', roles: ['readWrite@shop'] };

/** `mongodb://user:password@host:port/?replicaSet=rs0&authSource=admin` for a running server. */
function uriWithUser(server: RunningServer, user: string, password: string): string {
  return server.uri.replace('mongodb://', `mongodb://${encodeURIComponent(user)}:${encodeURIComponent(password)}@`) + '&authSource=admin';
}

/** A TCP port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function start(sourceUri: string, destinationUri: string, extraYaml = ''): Promise<CliRun> {
  const config = await writeSyncConfig(sourceUri, destinationUri, `logging:\n  level: error\n${extraYaml}`);
  return runSync(['start', '--config', config, '--once']);
}

/** The refusal printed on stderr: `PreflightError [CODE]: message` and `hint: ...`. */
function expectRefusal(run: CliRun, code: string): void {
  expect(run.code).toBe(3);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(new RegExp(`^PreflightError \\[${code}\\]: `));
  expect(run.stderr).toMatch(/\nhint: \S/);
}

/** The databases of a server other than admin, config and local, as its root user lists them. */
async function databaseNames(uri: string): Promise<string[]> {
  const client = await MongoClient.connect(uri);
  try {
    const { databases } = await client.db('admin').command({ listDatabases: 1, nameOnly: true });
    return (databases as { name: string }[]).map((d) => d.name).filter((n) => !['admin', 'config', 'local'].includes(n)).sort();
  } finally {
    await client.close();
  }
}

describeEmbedded('sync start preflight refusals', () => {
  const servers: RunningServer[] = [];

  async function server(options: ServerOptions = {}): Promise<RunningServer> {
    const s = await startServer(options);
    servers.push(s);
    return s;
  }

  /** A source holding one small collection. */
  async function seededSource(options: ServerOptions = {}, uri?: (s: RunningServer) => string): Promise<RunningServer> {
    const s = await server(options);
    const client = await MongoClient.connect(uri ? uri(s) : s.uri);
    await client.db('shop').collection<AnyDocument>('orders').insertMany([{ _id: 1, qty: 2 }, { _id: 2, qty: 5 }]);
    await client.close();
    return s;
  }

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('refuses an unreachable source within the bounded server selection time', async () => {
    const destination = await server();
    const port = await closedPort();
    const started = Date.now();
    const run = await start(`mongodb://127.0.0.1:${port}/?replicaSet=rs0`, destination.uri);
    const elapsedMs = Date.now() - started;
    expectRefusal(run, 'PREFLIGHT-2001');
    expect(run.stderr).toContain('Cannot connect to the source');
    expect(run.stderr).toContain('hint: Check that source.uri names reachable hosts');
    // The bound is SERVER_SELECTION_TIMEOUT_MS (10 s); the driver's own default would be 30 s.
    expect(elapsedMs).toBeLessThan(25_000);
    expect(await databaseNames(destination.uri)).not.toContain(INTERNAL_DB);
  }, 60_000);

  it('refuses an unreachable destination too, naming it', async () => {
    const source = await seededSource();
    const run = await start(source.uri, `mongodb://127.0.0.1:${await closedPort()}/?replicaSet=rs0`);
    expectRefusal(run, 'PREFLIGHT-2001');
    expect(run.stderr).toContain('Cannot connect to the destination');
  }, 60_000);

  it('refuses a wrong password with a hint on user, password and authSource, and never prints the password', async () => {
    const source = await seededSource({ users: [ROOT] }, (s) => uriWithUser(s, ROOT.user, ROOT.password));
    const destination = await server({ users: [ROOT] });
    const wrong = 'Wr0ng-pa55word-xyzzy';
    const run = await start(uriWithUser(source, ROOT.user, wrong), uriWithUser(destination, ROOT.user, ROOT.password));
    expectRefusal(run, 'PREFLIGHT-2001');
    expect(run.stderr).toContain('Cannot connect to the source');
    expect(run.stderr).toContain('hint: Check the user name, password and authSource in source.uri.');
    expect(run.stderr).not.toContain(wrong);
    expect(run.stderr).not.toContain(encodeURIComponent(wrong));
    expect(run.stderr).not.toContain(ROOT.password);
    expect(await databaseNames(uriWithUser(destination, ROOT.user, ROOT.password))).not.toContain(INTERNAL_DB);
  });

  describe('privileges (connectionStatus with showPrivileges on each side)', () => {
    let source: RunningServer;
    let destination: RunningServer;

    beforeAll(async () => {
      source = await seededSource({ users: [ROOT, SHOP_APP] }, (s) => uriWithUser(s, ROOT.user, ROOT.password));
      destination = await server({ users: [ROOT, SHOP_APP] });
    });

    it('refuses a readWrite@shop user on both sides, listing the missing actions per side', async () => {
      const run = await start(uriWithUser(source, SHOP_APP.user, SHOP_APP.password), uriWithUser(destination, SHOP_APP.user, SHOP_APP.password));
      expectRefusal(run, 'PREFLIGHT-2008');
      expect(run.stderr).toContain(
        'the source user app@admin lacks on the cluster: appendOplogNote, getDefaultRWConcern, getShardMap, hostInfo, ' +
          'listDatabases, listShards, replSetGetConfig, replSetGetStatus, serverStatus; on every database: find, ' +
          'listCollections, listIndexes, collStats, changeStream',
      );
      expect(run.stderr).toContain(
        'the destination user app@admin lacks on the cluster: listDatabases, setUserWriteBlockMode, ' +
          'bypassWriteBlockingMode; on every database: find, listCollections, listIndexes, insert, update, remove, ' +
          'createCollection, createIndex, dropCollection, collMod, bypassDocumentValidation',
      );
      expect(run.stderr).toContain('hint: Grant the missing actions');
      expect(run.stderr).not.toContain(SHOP_APP.password);
      expect(await databaseNames(uriWithUser(destination, ROOT.user, ROOT.password))).toEqual([]);
    });

    it('refuses a destination-only lack, listing only the destination', async () => {
      const run = await start(uriWithUser(source, ROOT.user, ROOT.password), uriWithUser(destination, SHOP_APP.user, SHOP_APP.password));
      expectRefusal(run, 'PREFLIGHT-2008');
      expect(run.stderr).toContain('the destination user app@admin lacks');
      expect(run.stderr).not.toContain('the source user');
    });

    it('refuses an unauthenticated connection to a server that enforces access control', async () => {
      const run = await start(source.uri, uriWithUser(destination, ROOT.user, ROOT.password));
      expectRefusal(run, 'PREFLIGHT-2008');
      expect(run.stderr).toContain('the source unauthenticated connection lacks on the cluster');
    });

    it('lets a root user on both sides through, and the copy runs', async () => {
      const run = await start(uriWithUser(source, ROOT.user, ROOT.password), uriWithUser(destination, ROOT.user, ROOT.password));
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(await databaseNames(uriWithUser(destination, ROOT.user, ROOT.password))).toEqual([INTERNAL_DB, 'shop']);
    });
  });

  it('refuses a standalone source: change streams need a replica set', async () => {
    const standalone = await server({ standalone: true });
    const direct = `mongodb://${standalone.state.me}/?directConnection=true`;
    const client = await MongoClient.connect(direct);
    const hello = await client.db('admin').command({ hello: 1 });
    await client.close();
    expect([hello.setName, hello.hosts, hello.primary, hello.me]).toEqual([undefined, undefined, undefined, undefined]);
    const destination = await server();
    const run = await start(direct, destination.uri);
    expectRefusal(run, 'PREFLIGHT-2002');
    expect(run.stderr).toContain('The source is a standalone server');
    expect(run.stderr).toContain('hint: Convert the source to a one-member replica set');
    expect(await databaseNames(destination.uri)).not.toContain(INTERNAL_DB);
  });

  it('refuses the same deployment reached through two host aliases (127.0.0.1 and localhost)', async () => {
    const source = await seededSource();
    const alias = source.uri.replace('127.0.0.1', 'localhost');
    expect(alias).not.toBe(source.uri);
    const run = await start(source.uri, alias);
    expectRefusal(run, 'PREFLIGHT-2004');
    expect(run.stderr).toContain('both connections reach the same server process');
    expect(await databaseNames(source.uri)).toEqual(['shop']);
  });

  it('refuses a destination holding user data, listing its databases', async () => {
    const source = await seededSource();
    const destination = await server();
    const client = await MongoClient.connect(destination.uri);
    await client.db('crm').collection<AnyDocument>('contacts').insertOne({ _id: 1 });
    await client.db('billing').collection<AnyDocument>('invoices').insertOne({ _id: 1 });
    await client.close();
    const run = await start(source.uri, destination.uri);
    expectRefusal(run, 'PREFLIGHT-2005');
    expect(run.stderr).toMatch(/already holds user databases \((billing, crm|crm, billing)\)/);
    expect(await databaseNames(destination.uri)).not.toContain(INTERNAL_DB);
  });

  it('refuses a destination holding another migration\'s state, and resumes its own', async () => {
    const source = await seededSource();
    const destination = await server();
    expect((await start(source.uri, destination.uri, 'id: first\n')).code).toBe(0);
    const run = await start(source.uri, destination.uri, 'id: second\n');
    expectRefusal(run, 'PREFLIGHT-2006');
    expect(run.stderr).toContain('another migration (id "first"), not of "second"');
    expect(run.stderr).toContain('hint: Set id to "first" to resume that migration');
    expect((await start(source.uri, destination.uri, 'id: first\n')).code).toBe(0);
  });
});
