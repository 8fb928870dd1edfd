import { MongoClient } from 'mongodb';
import { type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';

describe('embedded server handshake', () => {
  let deployment: TestDeployment;
  let client: MongoClient;

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
  });

  afterAll(() => disconnect(client, deployment));

  it('answers hello as the writable primary of a replica set', async () => {
    const reply = await client.db('admin').command({ hello: 1 });
    expect(reply.isWritablePrimary).toBe(true);
    expect(typeof reply.setName).toBe('string');
    expect(reply.hosts).toContain(reply.primary);
    expect(reply.me).toBe(reply.primary);
    expect(reply.maxWireVersion).toBeGreaterThanOrEqual(21);
    expect(reply.logicalSessionTimeoutMinutes).toBeGreaterThan(0);
    expect(reply.topologyVersion.processId).toBeDefined();
    expect(reply.lastWrite.opTime.ts).toBeDefined();
    expect(reply.$clusterTime.clusterTime).toBeDefined();
    expect(reply.operationTime).toBeDefined();
  });

  it('answers the legacy isMaster spelling with ismaster', async () => {
    const reply = await client.db('admin').command({ isMaster: 1 });
    expect(reply.ismaster).toBe(true);
    expect(reply.isWritablePrimary).toBeUndefined();
  });

  it('reports a 7.0 buildInfo', async () => {
    const reply = await client.db('admin').command({ buildInfo: 1 });
    expect(reply.version).toMatch(/^7\.0\./);
    expect(reply.versionArray.slice(0, 2)).toEqual([7, 0]);
  });

  it('answers an unknown command with CommandNotFound 59', async () => {
    await expect(client.db('admin').command({ noSuchCommand: 1 })).rejects.toMatchObject({
      code: 59,
      codeName: 'CommandNotFound',
    });
  });

  it('topology is a replica set to the driver', async () => {
    const description = (client as unknown as { topology: { description: { type: string } } }).topology.description;
    expect(description.type).toBe('ReplicaSetWithPrimary');
  });
});
