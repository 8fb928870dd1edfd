import { MongoClient } from 'mongodb';
import { serialize } from 'bson';
import { itEmbedded, sourceDeployment, type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';
import { RawWireClient } from '../../tools/raw_wire_client.js';

/** Malformed messages close their connection (mongod does the same) and never take the server down. */
describe('wire robustness', () => {
  let deployment: TestDeployment;
  let client: MongoClient;

  beforeAll(async () => {
    deployment = await sourceDeployment();
    client = await MongoClient.connect(deployment.uri);
  });

  afterAll(() => disconnect(client, deployment));

  function header(length: number, opCode: number): Buffer {
    const h = Buffer.alloc(16);
    h.writeInt32LE(length, 0);
    h.writeInt32LE(1, 4);
    h.writeInt32LE(opCode, 12);
    return h;
  }

  const malformed: [string, Buffer][] = [
    ['a negative message length', header(-5, 2013)],
    ['a length larger than maxMessageSizeBytes', header(64 * 1024 * 1024, 2013)],
    ['an unknown opcode', Buffer.concat([header(26, 9999), Buffer.alloc(10)])],
    ['an OP_MSG whose body overruns it', Buffer.concat([header(26, 2013), Buffer.from([0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0])])],
    ['an OP_MSG with an unknown section kind', Buffer.concat([header(16 + 4 + 1 + 5, 2013), Buffer.from([0, 0, 0, 0, 7]), Buffer.from(serialize({}))])],
    ['an OP_MSG body that is not valid BSON', Buffer.concat([header(16 + 4 + 1 + 8, 2013), Buffer.from([0, 0, 0, 0, 0, 8, 0, 0, 0, 0x42, 0x61, 0, 0])])],
  ];

  itEmbedded.each(malformed)('closes the connection on %s and keeps serving others', async (_name, bytes) => {
    const raw = await RawWireClient.connect(deployment.uri);
    const closed = raw.closed();
    raw.writeRaw(bytes);
    await closed;
    await expect(client.db('admin').command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
  });
});
