import { spawn, spawnSync } from 'node:child_process';
import { EJSON } from 'bson';
import { itEmbedded, sourceDeployment, type TestDeployment } from '../../tools/deployments.js';

/**
 * The MongoDB shell against the embedded server: mongosh's startup (buildInfo, getParameter, atlasVersion, ...),
 * CRUD, a transaction and the admin helpers. mongosh comes from the npm registry (`npx mongosh@2`); when it cannot
 * be obtained the suite is skipped and says why. mongodump/mongorestore are not tested: no package of Debian
 * bookworm or of the npm registry ships them.
 */
const MONGOSH = ['-y', 'mongosh@2'];
const probe = spawnSync('npx', [...MONGOSH, '--version'], { encoding: 'utf8', timeout: 180_000 });
const mongoshAvailable = probe.status === 0;
if (!mongoshAvailable) console.warn(`mongosh unavailable, tools tests skipped: ${probe.stderr || probe.error?.message}`);

function runMongosh(uri: string, script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', [...MONGOSH, uri, '--quiet', '--norc', '--eval', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

(mongoshAvailable ? describe : describe.skip)('mongosh', () => {
  let deployment: TestDeployment;

  beforeAll(async () => {
    deployment = await sourceDeployment();
  });

  afterAll(async () => {
    await deployment.stop();
  });

  itEmbedded('connects, writes in a transaction, reads back and runs the admin helpers', async () => {
    const script = `
      const t = db.getSiblingDB('tools_test');
      t.c.insertOne({ _id: 1, a: 1 });
      const s = db.getMongo().startSession();
      s.startTransaction();
      s.getDatabase('tools_test').c.insertOne({ _id: 2, tx: true });
      s.getDatabase('tools_test').c.updateOne({ _id: 1 }, { $set: { b: 2 } });
      s.commitTransaction();
      s.endSession();
      print(EJSON.stringify({
        docs: t.c.find().sort({ _id: 1 }).toArray(),
        version: db.version(),
        primary: db.hello().isWritablePrimary,
        fcv: db.adminCommand({ getParameter: 1, featureCompatibilityVersion: 1 }).featureCompatibilityVersion.version,
        process: db.serverStatus().process,
        you: typeof db.adminCommand({ whatsmyuri: 1 }).you,
      }, { relaxed: true }));
    `;
    const { code, stdout, stderr } = await runMongosh(deployment.uri, script);
    expect({ code, stderr: stderr.replace(/npm warn.*\n/g, '') }).toEqual({ code: 0, stderr: '' });
    const lastLine = stdout.trim().split('\n').pop()!;
    expect(EJSON.parse(lastLine, { relaxed: true })).toEqual({
      docs: [{ _id: 1, a: 1, b: 2 }, { _id: 2, tx: true }],
      version: expect.stringMatching(/^7\.0\./),
      primary: true,
      fcv: '7.0',
      process: 'mongod',
      you: 'string',
    });
  }, 180_000);
});
