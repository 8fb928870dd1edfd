/**
 * `npm run demo`: a migration from start to cut-over, on two embedded servers (in-memory, MongoDB wire-compatible)
 * with authentication on, using the built CLI as an operator would:
 *
 * seed ~200,000 documents -> `sync start` (continuous) while an application writes to the source -> the destination
 * refuses the application's writes -> canCommit -> `sync commit` -> the destination takes the application's writes
 * and enforces its unique index again, the source refuses them (sourceAndDestination) -> `sync verify`.
 *
 * Auth is on because user write blocking only binds users without bypassWriteBlockingMode: as on mongod, a server
 * without auth lets every client bypass it. Every step checks what it shows; the demo exits non-zero when one does
 * not behave. `npm run demo -- --docs 50000` runs a smaller data set.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Long, MongoClient, ObjectId } from 'mongodb';
import { startServer, type RunningServer } from '../test/harness/server.js';
import type { UserSeed } from '../test/harness/server_options.js';
import type { AnyDocument } from '../test/tools/documents.js';
import { redactText } from '../src/log/redact.js';
import { DemoCli } from './demo_cli.js';
import { describeIndexes, differingIndexes } from './demo_indexes.js';
import { APP_DATABASES, counts, seed } from './demo_seed.js';
import { ApplicationWriter, formatWrites, minusWrites, totalWrites, type WriteCounts } from './demo_writer.js';

const USER_WRITES_BLOCKED = 371;
const DUPLICATE_KEY = 11000;
const CODE_NAMES: Readonly<Record<number, string>> = { [USER_WRITES_BLOCKED]: 'UserWritesBlocked', [DUPLICATE_KEY]: 'DuplicateKey' };
const POLL_MS = 2000;
/** How long the application keeps writing after the copy, so that change events visibly flow. */
const WRITES_AFTER_COPY_MS = 6000;

/** The fields of `sync status --json` the demo shows and checks (mongosync's progress names). */
interface Progress {
  readonly state: string;
  readonly phase: string;
  readonly info: string;
  readonly canCommit: boolean;
  readonly canWrite: boolean;
  readonly lagTimeSeconds: number | null;
  readonly totalEventsApplied: number;
  readonly collectionCopy: { readonly documentsCopied: number };
  readonly failure: { readonly code: string; readonly message: string } | null;
}

/** Everything that must be stopped on the way out, registered as it is created. */
interface Resources {
  servers: RunningServer[];
  clients: MongoClient[];
  cli?: DemoCli;
  writer?: ApplicationWriter;
  work?: string;
}

const resources: Resources = { servers: [], clients: [] };
let interrupted = false;

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const num = (n: number): string => n.toLocaleString('en-US');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Thrown when a step does not behave as the demo says it does. */
class DemoFailure extends Error {}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new DemoFailure(what);
}

/** The server error code of a write, or undefined when it succeeded. */
async function writeError(write: Promise<unknown>): Promise<{ code: number; codeName: string; message: string } | undefined> {
  try {
    await write;
    return undefined;
  } catch (error) {
    const { code, codeName, message } = error as { code?: unknown; codeName?: unknown; message: string };
    if (typeof code !== 'number') throw error;
    // A write error (writeErrors[]) carries no codeName, as on mongod.
    return { code, codeName: typeof codeName === 'string' ? codeName : (CODE_NAMES[code] ?? `code ${code}`), message };
  }
}

function uriAs(server: RunningServer, user: UserSeed): string {
  const uri = new URL(server.uri);
  uri.username = user.user;
  uri.password = user.password;
  uri.searchParams.set('authSource', 'admin');
  return uri.toString();
}

async function connect(server: RunningServer, user: UserSeed): Promise<MongoClient> {
  const client = await MongoClient.connect(uriAs(server, user), { serverSelectionTimeoutMS: 10_000 });
  resources.clients.push(client);
  return client;
}

/** Polls `sync status --json` every couple of seconds and prints one line per poll until `done` holds. */
class ProgressWatcher {
  #failures = 0;
  #seenMigration = false;

  constructor(
    private readonly cli: DemoCli,
    private readonly started: number,
    private readonly writer: ApplicationWriter,
    private readonly startExit: () => number | undefined,
  ) {}

  async status(): Promise<Progress | undefined> {
    const run = await this.cli.run(['status', '--config', 'sync.yaml', '--json']);
    if (run.code === 0) {
      this.#failures = 0;
      this.#seenMigration = true;
      return (JSON.parse(run.stdout) as { progress: Progress }).progress;
    }
    // Until `sync start` has recorded the migration the destination holds none (STATE-3004): not a failure yet.
    if (!this.#seenMigration && run.stderr.includes('STATE-3004')) return undefined;
    if (++this.#failures >= 3) throw new DemoFailure(`sync status failed ${this.#failures} times in a row (exit ${run.code}): ${run.stderr.trim()}`);
    return undefined;
  }

  async until(done: (p: Progress) => boolean, what: string, timeoutMs: number): Promise<Progress> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const polled = Date.now();
      if (this.writer.error) throw new DemoFailure(`the application's write failed: ${this.writer.error.message}`);
      const exit = this.startExit();
      if (exit !== undefined) throw new DemoFailure(`sync start exited with ${exit} before the commit`);
      const p = await this.status();
      if (p === undefined && !this.#seenMigration) {
        out(`  ${seconds(Date.now() - this.started).padStart(7)}  (no migration recorded yet: sync start runs its preflight checks)`);
      } else if (p !== undefined) {
        out(this.#line(p));
        if (p.state === 'FAILED') throw new DemoFailure(`the migration FAILED: [${p.failure?.code}] ${p.failure?.message}`);
        if (done(p)) return p;
      }
      if (Date.now() > deadline) throw new DemoFailure(`timed out after ${seconds(timeoutMs)} waiting for ${what}`);
      await sleep(Math.max(0, POLL_MS - (Date.now() - polled)));
    }
  }

  #line(p: Progress): string {
    const lag = p.lagTimeSeconds === null ? '-' : `${p.lagTimeSeconds} s`;
    return [
      `  ${seconds(Date.now() - this.started).padStart(7)}`,
      p.state.padEnd(10),
      p.info.padEnd(26),
      `copied ${num(p.collectionCopy.documentsCopied).padStart(9)} docs`,
      `events ${num(p.totalEventsApplied).padStart(6)}`,
      `lag ${lag.padStart(4)}`,
      `canCommit ${p.canCommit ? 'yes' : 'no '}`,
      `| app writes ${num(totalWrites(this.writer.counts)).padStart(6)}`,
    ].join('  ');
  }
}

async function tail(file: string, lines: number): Promise<string> {
  try {
    return redactText((await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n'));
  } catch {
    return '';
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { docs: { type: 'string', default: '200000' } } });
  const total = Number(values.docs);
  if (!Number.isInteger(total) || total < 100) throw new DemoFailure(`--docs must be an integer of at least 100, got ${values.docs}`);
  const began = Date.now();

  // Fresh passwords each run; they reach the CLI only through its environment, never its output or the config file.
  const syncUser: UserSeed = { user: 'sync', password: randomBytes(12).toString('hex'), roles: ['root'] };
  const appUser: UserSeed = { user: 'app', password: randomBytes(12).toString('hex'), roles: APP_DATABASES.map((db) => `readWrite@${db}`) };
  const serverOptions = { users: [syncUser, appUser], noopIntervalMs: 1000 };
  const source = await startServer(serverOptions);
  resources.servers.push(source);
  const destination = await startServer(serverOptions);
  resources.servers.push(destination);
  const work = await mkdtemp(path.join(os.tmpdir(), 'c2c-demo-'));
  resources.work = work;
  const [sourceRoot, destinationRoot, sourceApp, destinationApp] = await Promise.all([
    connect(source, syncUser), connect(destination, syncUser), connect(source, appUser), connect(destination, appUser),
  ]);

  out('mongo-c2c-sync demo: a migration from start to cut-over, with an application writing throughout');
  out(`  source       127.0.0.1:${source.port}`);
  out(`  destination  127.0.0.1:${destination.port}`);
  out(`  users on both (auth on): "sync" with root, for the tool; "app" with readWrite on ${APP_DATABASES.join(', ')}, for the application`);
  out();

  out(`1. Seed the source`);
  let mark = Date.now();
  const shape = await seed(sourceRoot, total);
  const seedMs = Date.now() - mark;
  out(`  ${num(total)} documents in shop and analytics (unique, TTL, hidden, compound and partial indexes; a capped collection; a view) in ${seconds(seedMs)}`);
  out();

  const config = [
    '# The URIs, with the sync user\'s password, come from the environment.',
    'source:', '  uri: ${SOURCE_URI}', 'destination:', '  uri: ${DESTINATION_URI}',
    'enableUserWriteBlocking: sourceAndDestination', 'api:', '  port: 0', 'logging:', '  level: warn', '',
  ].join('\n');
  await writeFile(path.join(work, 'sync.yaml'), config);
  const cli = new DemoCli(work, { ...process.env, SOURCE_URI: uriAs(source, syncUser), DESTINATION_URI: uriAs(destination, syncUser) });
  resources.cli = cli;
  out('2. sync start (continuous) while the application writes to the source');
  out('  sync.yaml:');
  for (const line of config.trimEnd().split('\n')) out(`    ${line}`);
  const logFile = path.join(work, 'sync-start.log');
  const writer = new ApplicationWriter(sourceApp, shape);
  resources.writer = writer;
  out('$ sync start --config sync.yaml --log-level info     # in the background; `sync status --json` every 2 s:');
  mark = Date.now();
  const start = cli.background(['start', '--config', 'sync.yaml', '--log-level', 'info'], logFile);
  let startExit: number | undefined;
  void start.exited.then((code) => (startExit = code));
  writer.start();
  const watcher = new ProgressWatcher(cli, mark, writer, () => startExit);
  await watcher.until((p) => p.phase === 'copied', 'the copy to finish', 10 * 60_000);
  const copyDone = Date.now();
  const copyMs = copyDone - mark;
  const duringCopy = writer.counts;
  check(totalWrites(duringCopy) > 0, 'the application wrote nothing during the copy');
  out(`  copy finished in ${seconds(copyMs)}; the application meanwhile did ${formatWrites(duringCopy)} on the source`);
  out();

  out('3. Until commit the destination belongs to the migration: the application may not write there');
  const intruder = await writeError(destinationApp.db('shop').collection<AnyDocument>('orders').insertOne({ _id: Long.fromNumber(-1), note: 'too early' }));
  check(intruder?.code === USER_WRITES_BLOCKED, `the application's write to the destination before commit ${intruder ? `failed with ${intruder.code} ${intruder.codeName}` : 'succeeded'}; expected UserWritesBlocked`);
  out(`  app -> destination shop.orders insertOne: refused, ${intruder.codeName} (${intruder.code}): ${intruder.message}`);
  out(`  destination indexes while syncing: ${await describeIndexes(destinationRoot)}`);
  out(`  (on the source:                    ${await describeIndexes(sourceRoot)})`);
  out();

  out('4. The application keeps writing; the changes flow until the migration can commit');
  await watcher.until(
    (p) => p.canCommit && p.totalEventsApplied > 0 && Date.now() - copyDone >= WRITES_AFTER_COPY_MS,
    'canCommit', 3 * 60_000,
  );
  const written = await writer.stop();
  if (writer.error) throw new DemoFailure(`the application's write failed: ${writer.error.message}`);
  const afterCopy = minusWrites(written, duringCopy);
  check(totalWrites(afterCopy) > 0, 'the application wrote nothing after the copy');
  const catchUpMs = Date.now() - copyDone;
  out(`  canCommit. The application stops writing: ${formatWrites(afterCopy)} after the copy, ${num(totalWrites(written))} writes in all`);
  out();

  out('5. Cut over');
  out('$ sync commit --config sync.yaml');
  mark = Date.now();
  const commit = await cli.run(['commit', '--config', 'sync.yaml']);
  const commitMs = Date.now() - mark;
  for (const line of commit.stdout.trimEnd().split('\n')) out(`  ${line}`);
  if (commit.code !== 0) throw new DemoFailure(`sync commit exited with ${commit.code}: ${redactText(commit.stderr.trim())}`);
  check(commit.stdout.includes('is COMMITTED'), 'sync commit did not report COMMITTED');
  check(commit.stdout.includes('running `sync start` process'), 'the commit was not carried out by the running `sync start` process');
  const startCode = await Promise.race([start.exited, sleep(60_000).then(() => 'timeout' as const)]);
  check(startCode === 0, `sync start ${startCode === 'timeout' ? 'kept running' : `exited with ${startCode}`} after the commit`);
  const committed = await watcher.status();
  check(committed?.state === 'COMMITTED' && committed.canWrite, `sync status after the commit: state ${committed?.state}, canWrite ${committed?.canWrite}`);
  out(`  commit took ${seconds(commitMs)}; sync start exited 0 (a migration that is not reversible has nothing left to do)`);
  const differing = await differingIndexes(sourceRoot, destinationRoot);
  check(differing.length === 0, `after the commit the destination's indexes differ from the source's in ${differing.join(', ')}`);
  out(`  destination indexes now: ${await describeIndexes(destinationRoot)}; listIndexes equals the source's on every collection`);
  out();

  out('6. After the commit the application moves to the destination');
  const newcomer = { _id: new ObjectId(), email: 'first-after-cutover@example.com', name: 'First after cut-over', vip: false, since: new Date() };
  const accepted = await writeError(destinationApp.db('shop').collection('customers').insertOne(newcomer));
  check(accepted === undefined, `the destination refused the application's write after commit: ${accepted?.codeName} (${accepted?.code})`);
  out('  app -> destination shop.customers insertOne: accepted');
  const duplicate = await writeError(destinationApp.db('shop').collection('customers').insertOne({ _id: new ObjectId(), email: 'user0@example.com' }));
  check(duplicate?.code === DUPLICATE_KEY, `a duplicate email on the destination ${duplicate ? `failed with ${duplicate.code}` : 'was accepted'}; the unique index is not enforced`);
  out(`  app -> destination shop.customers insertOne of an existing email: refused, the unique index is back: ${duplicate.message}`);
  const late = await writeError(sourceApp.db('shop').collection<AnyDocument>('orders').insertOne({ _id: Long.fromNumber(-2), note: 'too late' }));
  check(late?.code === USER_WRITES_BLOCKED, `the application's write to the source after commit ${late ? `failed with ${late.code}` : 'succeeded'}; expected UserWritesBlocked (sourceAndDestination)`);
  out(`  app -> source shop.orders insertOne: refused, ${late.codeName} (${late.code}): the source is frozen (sourceAndDestination)`);
  await destinationApp.db('shop').collection('customers').deleteOne({ _id: newcomer._id });
  out('  (the new customer is deleted again, so that verify compares the data the migration moved)');
  out();

  out('7. Verify');
  out('$ sync verify --config sync.yaml');
  mark = Date.now();
  const verify = await cli.run(['verify', '--config', 'sync.yaml'], { show: true });
  const verifyMs = Date.now() - mark;
  check(verify.code === 0, `sync verify exited with ${verify.code}`);
  out();

  const [before, after] = [await counts(sourceRoot), await counts(destinationRoot)];
  out('Summary');
  out(`  ${num(total)} documents seeded; the application did ${num(totalWrites(written))} writes on the source during the migration (${formatWrites(written)})`);
  out(`  ${num(committed.totalEventsApplied)} change events applied; sync verify: equal`);
  out(`  time: seed ${seconds(seedMs)}, copy ${seconds(copyMs)}, changes until commit ${seconds(catchUpMs)}, commit ${seconds(commitMs)}, verify ${seconds(verifyMs)}; total ${seconds(Date.now() - began)}`);
  for (const ns of Object.keys(before)) {
    out(`  ${ns.padEnd(22)} source ${num(before[ns]!).padStart(8)}  destination ${num(after[ns]!).padStart(8)}`);
  }
  const unequal = Object.keys(before).filter((ns) => before[ns] !== after[ns]);
  check(unequal.length === 0, `document counts differ in ${unequal.join(', ')}`);
}

/** Stops the writer, the CLI's children, the clients and the servers, and removes the work directory. Runs once. */
let cleaning: Promise<void> | undefined;
function cleanup(graceMs: number): Promise<void> {
  cleaning ??= (async () => {
    await resources.writer?.stop().catch(() => undefined);
    // Children first: a `sync start` that stops cleanly still needs the servers.
    await resources.cli?.stopAll(graceMs);
    await Promise.all(resources.clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all(resources.servers.map((s) => s.stop().catch(() => undefined)));
    if (resources.work) await rm(resources.work, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    process.stderr.write(`\ndemo interrupted (${signal}): stopping the sync processes and the servers\n`);
    // A terminal's Ctrl-C reached the children too: give them a moment to stop on their own.
    void cleanup(3000).finally(() => process.exit(130));
  });
}

main().then(
  async () => {
    await cleanup(0);
    process.exit(0);
  },
  async (error: Error) => {
    if (interrupted) return;
    process.stderr.write(`\ndemo failed: ${redactText(error instanceof DemoFailure ? error.message : (error.stack ?? error.message))}\n`);
    const log = resources.work ? await tail(path.join(resources.work, 'sync-start.log'), 40) : '';
    if (log !== '') process.stderr.write(`\nlast lines of the sync start log:\n${log}\n`);
    await cleanup(0);
    process.exit(1);
  },
);
