/**
 * The sample walk of a collection whose default collation is not simple: the server would sort string `_id`s by
 * that collation, and verify compares them bytewise, so verify must ask for the simple collation or it reports
 * documents that exist on both sides as missing and extra.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { CliContext } from '../../../src/cli/cli_context.js';
import { runCli } from '../../../src/cli/main.js';
import { destinationDeployment, sourceDeployment, type TestDeployment } from '../../tools/deployments.js';

let dir: string;
let source: TestDeployment;
let destination: TestDeployment;
const clients: MongoClient[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'c2c-verify-collation-'));
  [source, destination] = await Promise.all([sourceDeployment(), destinationDeployment()]);
  for (const deployment of [source, destination]) {
    const client = new MongoClient(deployment.uri);
    clients.push(client);
    const db = client.db('verify_collation');
    await db.dropDatabase();
    await db.createCollection('names', { collation: { locale: 'en', strength: 2 } });
    // Under the en collation: a, b, B2, e, é, Z; bytewise: B2, Z, a, b, e, é.
    await db.collection<{ _id: string; v: number }>('names').insertMany(['b', 'B2', 'a', 'Z', 'é', 'e'].map((_id) => ({ _id, v: 1 })));
  }
  await clients[1]?.db('verify_collation').collection<{ _id: string; v: number }>('names').updateOne({ _id: 'Z' }, { $set: { v: 2 } });
  await writeFile(
    path.join(dir, 'sync.yaml'),
    'id: verify_collation\nsource:\n  uri: ${SOURCE}\ndestination:\n  uri: ${DESTINATION}\nincludeNamespaces:\n  - verify_collation.*\n',
  );
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all([source?.stop(), destination?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('sync verify on a collection with a default collation', () => {
  it('reports exactly the differing document', async () => {
    let stdout = '';
    const context: CliContext = {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
      env: { SOURCE: source.uri, DESTINATION: destination.uri },
      cwd: dir,
      signal: new AbortController().signal,
      logLevel: undefined,
    };
    expect(await runCli(['verify', '--config', 'sync.yaml', '--json'], context)).toBe(1);
    const [names] = (JSON.parse(stdout) as { namespaces: { ns: string; samples: unknown[] }[] }).namespaces;
    expect(names?.ns).toBe('verify_collation.names');
    expect(names?.samples).toEqual([{ _id: '"Z"', difference: 'contentDiffers' }]);
  });
});
