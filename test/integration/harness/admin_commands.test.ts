import { MongoClient } from 'mongodb';
import { type TestDeployment, connectedDeployment } from '../../tools/deployments.js';

/** The admin and diagnostic commands tools send (serverStatus, getParameter, whatsmyuri, hostInfo, ...). */
describe('admin and diagnostic commands', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  const admin = () => client.db('admin');

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
  });

  afterAll(async () => {
    await client.db('admin_cmd_test').dropDatabase().catch(() => {});
    await client.close();
    await deployment.stop();
  });

  it('serverStatus describes a mongod primary of a replica set', async () => {
    const status = await admin().command({ serverStatus: 1 });
    expect(status.process).toBe('mongod');
    expect(status.version).toMatch(/^7\.0\./);
    expect(typeof status.host).toBe('string');
    expect(status.pid).toBeGreaterThan(0);
    expect(status.uptime).toBeGreaterThanOrEqual(0);
    expect(status.uptimeMillis).toBeGreaterThanOrEqual(0);
    expect(status.localTime).toBeInstanceOf(Date);
    expect(status.connections.current).toBeGreaterThanOrEqual(1);
    expect(status.connections.available).toBeGreaterThan(0);
    expect(status.connections.totalCreated).toBeGreaterThanOrEqual(status.connections.current);
    expect(Object.keys(status.opcounters)).toEqual(expect.arrayContaining(['insert', 'query', 'update', 'delete', 'getmore', 'command']));
    expect(status.repl).toMatchObject({ isWritablePrimary: true, secondary: false });
    expect(status.repl.hosts).toContain(status.repl.primary);
    expect(status.repl.me).toBe(status.repl.primary);
    expect(typeof status.repl.setName).toBe('string');
    expect(status.storageEngine.name).toBe('wiredTiger');
    expect(status.storageEngine.supportsSnapshotReadConcern).toBe(true);
  });

  it('serverStatus counts inserted documents in opcounters and leaves out sections set to 0', async () => {
    const before = (await admin().command({ serverStatus: 1 })).opcounters.insert;
    await client.db('admin_cmd_test').collection('c').insertMany([{ a: 1 }, { a: 2 }, { a: 3 }]);
    const after = await admin().command({ serverStatus: 1, repl: 0 });
    expect(Number(after.opcounters.insert) - Number(before)).toBe(3);
    expect(after.repl).toBeUndefined();
  });

  it('getParameter answers featureCompatibilityVersion 7.0, all parameters with *, details, and InvalidOptions for unknown', async () => {
    expect(await admin().command({ getParameter: 1, featureCompatibilityVersion: 1 })).toMatchObject({ featureCompatibilityVersion: { version: '7.0' } });
    const all = await admin().command({ getParameter: '*' });
    expect(all.featureCompatibilityVersion).toEqual({ version: '7.0' });
    expect(all.transactionLifetimeLimitSeconds).toBe(60);
    const details = await admin().command({ getParameter: { showDetails: true }, transactionLifetimeLimitSeconds: 1 });
    expect(details.transactionLifetimeLimitSeconds).toMatchObject({ value: 60, settableAtRuntime: true, settableAtStartup: true });
    await expect(admin().command({ getParameter: 1, noSuchParameter: 1 })).rejects.toMatchObject({ code: 72, errmsg: 'no option found to get' });
  });

  it('setParameter answers the previous value and getParameter the new one', async () => {
    const set = await admin().command({ setParameter: 1, transactionLifetimeLimitSeconds: 90 });
    expect(set.was).toBe(60);
    expect((await admin().command({ getParameter: 1, transactionLifetimeLimitSeconds: 1 })).transactionLifetimeLimitSeconds).toBe(90);
    await admin().command({ setParameter: 1, transactionLifetimeLimitSeconds: 60 });
    await expect(admin().command({ setParameter: 1, noSuchParameter: 1 })).rejects.toMatchObject({ code: 72 });
  });

  it('whatsmyuri answers the client address', async () => {
    const reply = await admin().command({ whatsmyuri: 1 });
    expect(reply.you).toMatch(/^[\d.:a-f]+:\d+$/);
  });

  it('hostInfo, getCmdLineOpts and getDefaultRWConcern answer mongod shapes', async () => {
    const info = await admin().command({ hostInfo: 1 });
    expect(info.system.numCores).toBeGreaterThan(0);
    expect(typeof info.os.type).toBe('string');
    const opts = await admin().command({ getCmdLineOpts: 1 });
    expect(opts.argv.length).toBeGreaterThan(0);
    expect(typeof opts.parsed.replication.replSet).toBe('string');
    const rw = await admin().command({ getDefaultRWConcern: 1 });
    expect(rw.defaultReadConcern).toEqual({ level: 'local' });
    expect(rw.defaultWriteConcern.w).toBe('majority');
  });

  it('getLog lists its logs and answers startupWarnings', async () => {
    expect((await admin().command({ getLog: '*' })).names).toEqual(expect.arrayContaining(['global', 'startupWarnings']));
    const warnings = await admin().command({ getLog: 'startupWarnings' });
    expect(Array.isArray(warnings.log)).toBe(true);
    expect(typeof warnings.totalLinesWritten).toBe('number');
  });

  it('listCommands lists the commands with their flags', async () => {
    const { commands } = await admin().command({ listCommands: 1 });
    for (const name of ['find', 'insert', 'commitTransaction', 'serverStatus', 'hello']) expect(commands[name]).toBeDefined();
    expect(commands.commitTransaction.adminOnly).toBe(true);
    expect(commands.hello.requiresAuth).toBe(false);
  });

  it('currentOp answers an inprog array; killOp and fsync answer ok', async () => {
    const ops = await admin().command({ currentOp: 1 });
    expect(Array.isArray(ops.inprog)).toBe(true);
    await expect(admin().command({ killOp: 1, op: 12345 })).resolves.toMatchObject({ ok: 1 });
    await expect(admin().command({ fsync: 1 })).resolves.toMatchObject({ ok: 1 });
  });

  it('refuses admin-only commands on other databases with Unauthorized', async () => {
    await expect(client.db('admin_cmd_test').command({ getParameter: 1, featureCompatibilityVersion: 1 })).rejects.toMatchObject({ code: 13 });
  });
});
