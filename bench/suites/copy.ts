/**
 * `copy` suite: one source server holding `docs` documents of ~1 KB in 4 collections, copied three ways, each into a
 * fresh destination server:
 *  (a) ceiling: insertMany of the pre-built documents straight into the destination (what the servers and the
 *      driver can ingest at best; nothing is read);
 *  (b) a plain driver copy loop: for each collection in turn, one find cursor (decoded documents) and insertMany of
 *      1,000;
 *  (c) `sync start --once` with the tool's defaults (parallelism 4), timed end to end (preflight, catalog,
 *      partitioning, copy, index builds). With in-process servers it runs in-process (`runSync`) and peak RSS is
 *      sampled every 100 ms meanwhile (it then includes the servers' in-memory data); with child-process servers it
 *      runs as the built CLI in its own process, whose own peak RSS and CPU time are measured.
 */
import path from 'node:path';
import { MongoClient, type Document } from 'mongodb';
import { startBenchServer, type BenchServer, type ServerMode } from '../lib/servers.js';
import { runSync, writeSyncConfig } from '../../test/tools/run_cli.js';
import { benchDocuments, bsonBytes } from '../lib/documents.js';
import { machineFacts } from '../lib/machine.js';
import { collectGarbage, MB, rssMB, round, sampleMemory, throughput, timed, type Elapsed, type MemoryPeak, type Throughput } from '../lib/measure.js';
import { writeSuiteResults } from '../lib/results.js';
import { withCpuProfile } from '../lib/cpu_profile.js';
import { startSyncChild } from '../lib/sync_child.js';
import { ensureBuilt } from '../../test/tools/built_cli.js';
import { formatFixed, formatInteger, formatTable } from '../lib/table.js';

export const COPY_STEPS = ['a', 'b', 'c'] as const;
export type CopyStep = (typeof COPY_STEPS)[number];

export interface CopySuiteOptions {
  /** Documents in the source, spread evenly over the collections; default 500,000. */
  readonly docs: number;
  /** Number of collections; 4. */
  readonly collections: number;
  /** `copy.parallelism` of step (c); default 4, the tool's default. */
  readonly parallelism: number;
  /** Steps to run; (c) alone is what a profile needs. */
  readonly steps: readonly CopyStep[];
  /** Where the servers run: in this process (default, as in the tests) or each in a child process. */
  readonly servers: ServerMode;
  /** When set, a CPU profile of each step alone is written to `<dir>/copy-<step>.cpuprofile`. */
  readonly cpuProfileDir?: string;
}

/** Targets of the copy. */
export const COPY_TARGETS = Object.freeze({ toolOverLoop: 2, toolOverCeiling: 0.8, peakRssMB: 300 } as const);

const DATABASE = 'bench';
const BATCH = 1000;

interface Namespace {
  readonly coll: string;
  readonly batches: Document[][];
}

/** Inserts batches of each namespace into `client`, one sequential writer per namespace, all at once. */
async function insertAll(client: MongoClient, namespaces: readonly Namespace[]): Promise<void> {
  await Promise.all(
    namespaces.map(async ({ coll, batches }) => {
      const collection = client.db(DATABASE).collection(coll);
      for (const batch of batches) await collection.insertMany(batch);
    }),
  );
}

/** The plain copy loop of step (b): collection after collection, decoded documents, insertMany of 1,000. */
async function plainCopyLoop(source: MongoClient, destination: MongoClient, colls: readonly string[]): Promise<number> {
  let copied = 0;
  for (const coll of colls) {
    const target = destination.db(DATABASE).collection(coll);
    let batch: Document[] = [];
    for await (const doc of source.db(DATABASE).collection(coll).find({}, { batchSize: BATCH })) {
      batch.push(doc);
      if (batch.length === BATCH) {
        await target.insertMany(batch);
        copied += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) {
      await target.insertMany(batch);
      copied += batch.length;
    }
  }
  return copied;
}

async function countAll(client: MongoClient, colls: readonly string[]): Promise<number> {
  let total = 0;
  for (const coll of colls) total += await client.db(DATABASE).collection(coll).countDocuments();
  return total;
}

/** Runs `fn` against a fresh destination server, which is stopped afterwards. */
async function withFreshServer<T>(mode: ServerMode, fn: (server: BenchServer) => Promise<T>): Promise<T> {
  const server = await startBenchServer(mode);
  try {
    return await fn(server);
  } finally {
    await server.stop();
    collectGarbage();
  }
}

/** Sizes of what a server holds, in bytes (dbStats dataSize of the user database and of `local`, the oplog). */
async function storedBytes(uri: string): Promise<{ dataBytes: number; oplogBytes: number }> {
  const client = await MongoClient.connect(uri);
  try {
    const data = await client.db(DATABASE).command({ dbStats: 1 });
    const local = await client.db('local').command({ dbStats: 1 });
    return { dataBytes: Number(data.dataSize), oplogBytes: Number(local.dataSize) };
  } finally {
    await client.close();
  }
}

interface StepResult extends Throughput {
  readonly step: string;
  readonly label: string;
}

export interface CopySuiteResult {
  readonly pass: boolean;
}

export async function runCopySuite(options: CopySuiteOptions): Promise<CopySuiteResult> {
  const { docs, collections, parallelism, steps } = options;
  console.log(`\n== copy: ${formatInteger(docs)} documents of ~1 KB in ${collections} collections; steps ${steps.join(',')} ==`);
  const started = Date.now();
  const profiled = <T>(step: CopyStep, fn: () => Promise<T>): Promise<T> =>
    options.cpuProfileDir ? withCpuProfile(path.join(options.cpuProfileDir, `copy-${step}.cpuprofile`), fn) : fn();
  const colls = Array.from({ length: collections }, (_, i) => `coll${i}`);
  const perCollection = Math.ceil(docs / collections);

  let namespaces: Namespace[] = colls.map((coll, i) => {
    const first = i * perCollection;
    const count = Math.max(0, Math.min(perCollection, docs - first));
    const batches: Document[][] = [];
    for (let start = first; start < first + count; start += BATCH) batches.push(benchDocuments(start, Math.min(BATCH, first + count - start)));
    return { coll, batches };
  });
  const totalBytes = namespaces.reduce((sum, ns) => sum + ns.batches.reduce((s, b) => s + bsonBytes(b), 0), 0);
  console.log(`  built ${formatInteger(docs)} documents (${formatFixed(totalBytes / MB, 1)} MB of BSON) in ${formatFixed((Date.now() - started) / 1000, 1)} s`);

  const source = await startBenchServer(options.servers);
  const sourceClient = await MongoClient.connect(source.uri);
  const results: StepResult[] = [];
  let memory: MemoryPeak | undefined;
  let destinationStored: { dataBytes: number; oplogBytes: number } | undefined;
  let serverRss: { sourceMB?: number; destinationMB?: number } | undefined;
  try {
    const fill = await timed(() => insertAll(sourceClient, namespaces));
    console.log(`  source filled in ${formatFixed(fill.seconds, 1)} s`);

    if (steps.includes('a')) {
      collectGarbage();
      const a = await withFreshServer(options.servers, async (destination) => {
        const client = await MongoClient.connect(destination.uri);
        try {
          return await timed(() => profiled('a', () => insertAll(client, namespaces)));
        } finally {
          await client.close();
        }
      });
      results.push({ step: 'a', label: '(a) ceiling: insertMany of pre-built docs', ...throughput(docs, totalBytes, a) });
      console.log(`  (a) done in ${formatFixed(a.seconds, 1)} s`);
    }
    // The pre-built documents are no longer needed: free them before the steps whose memory is reported.
    namespaces = [];

    if (steps.includes('b')) {
      collectGarbage();
      const b = await withFreshServer(options.servers, async (destination) => {
        const client = await MongoClient.connect(destination.uri);
        try {
          const run = await timed(() => profiled('b', () => plainCopyLoop(sourceClient, client, colls)));
          if (run.value !== docs) throw new Error(`(b) copied ${run.value} documents, expected ${docs}`);
          return run;
        } finally {
          await client.close();
        }
      });
      results.push({ step: 'b', label: '(b) plain driver copy loop', ...throughput(docs, totalBytes, b) });
      console.log(`  (b) done in ${formatFixed(b.seconds, 1)} s`);
    }

    if (steps.includes('c')) {
      collectGarbage();
      if (options.servers === 'child-process') ensureBuilt();
      const c = await withFreshServer(options.servers, async (destination) => {
        const config = await writeSyncConfig(source.uri, destination.uri, `copy:\n  parallelism: ${parallelism}\nlogging:\n  level: warn\n`);
        const args = ['start', '--config', config, '--once', '--json'];
        let run: { value: { code: number | null; stdout: string; stderr: string } } & Elapsed;
        if (options.servers === 'child-process') {
          // The built CLI in its own process: its peak RSS (the kernel's VmHWM) and CPU time are the tool's alone.
          const profile = options.cpuProfileDir ? path.join(options.cpuProfileDir, 'copy-c.cpuprofile') : undefined;
          const child = await startSyncChild(args, profile === undefined ? {} : { cpuProfile: profile }).done;
          const peak = child.stats.peakRssMB ?? child.stats.sampledPeakRssMB ?? 0;
          memory = { startRssMB: 0, peakRssMB: peak, growthRssMB: peak, heapUsedAtPeakMB: 0, arrayBuffersAtPeakMB: 0, samples: child.stats.samples };
          run = { value: { code: child.code, stdout: child.stdout, stderr: child.otherStderr }, seconds: child.seconds, cpuSeconds: child.stats.cpuSeconds ?? 0 };
        } else {
          const sampler = sampleMemory(100);
          run = await timed(() => profiled('c', () => runSync(args)));
          memory = sampler.stop();
        }
        if (run.value.code !== 0) throw new Error(`sync start exited ${run.value.code}: ${run.value.stderr}`);
        const summary = JSON.parse(run.value.stdout) as { documentsCopied: number };
        if (summary.documentsCopied !== docs) throw new Error(`(c) copied ${summary.documentsCopied} documents, expected ${docs}`);
        destinationStored = await storedBytes(destination.uri);
        serverRss = { sourceMB: source.rssMB(), destinationMB: destination.rssMB() };
        const client = await MongoClient.connect(destination.uri);
        try {
          const count = await countAll(client, colls);
          if (count !== docs) throw new Error(`(c) destination holds ${count} documents, expected ${docs}`);
        } finally {
          await client.close();
        }
        return run;
      });
      results.push({ step: 'c', label: `(c) sync start --once (parallelism ${parallelism})`, ...throughput(docs, totalBytes, c) });
      console.log(`  (c) done in ${formatFixed(c.seconds, 1)} s`);
    }
  } finally {
    await sourceClient.close();
    await source.stop();
  }

  const byStep = (s: CopyStep) => results.find((r) => r.step === s);
  const a = byStep('a');
  const b = byStep('b');
  const c = byStep('c');
  const ratio = (x?: Throughput, y?: Throughput) => (x && y ? round(x.docsPerSecond / y.docsPerSecond, 2) : undefined);
  // The same ratios from CPU time: steadier than wall-clock time when other processes compete for the cores.
  const cpuRatio = (x?: Throughput, y?: Throughput) => (x && y ? round(x.docsPerCpuSecond / y.docsPerCpuSecond, 2) : undefined);
  const checks = [
    { check: 'c/b (tool vs plain loop), docs/s', value: ratio(c, b), target: COPY_TARGETS.toolOverLoop, higherIsBetter: true, unit: 'x' },
    { check: 'c/a (tool vs ceiling), docs/s', value: ratio(c, a), target: COPY_TARGETS.toolOverCeiling, higherIsBetter: true, unit: 'x' },
    { check: 'c/b by CPU time (docs/CPU-s)', value: cpuRatio(c, b), target: COPY_TARGETS.toolOverLoop, higherIsBetter: true, unit: 'x' },
    { check: 'c/a by CPU time (docs/CPU-s)', value: cpuRatio(c, a), target: COPY_TARGETS.toolOverCeiling, higherIsBetter: true, unit: 'x' },
    { check: 'peak RSS during (c)', value: memory?.peakRssMB, target: COPY_TARGETS.peakRssMB, higherIsBetter: false, unit: ' MB' },
  ].map((k) => ({
    ...k,
    pass: k.value === undefined ? undefined : k.higherIsBetter ? k.value >= k.target : k.value <= k.target,
  }));

  const stepTable = formatTable(
    ['step', 'docs', 'seconds', 'docs/s', 'MB/s', 'CPU s', 'docs/CPU-s'],
    results.map((r) => [
      r.label,
      formatInteger(r.docs),
      formatFixed(r.seconds, 2),
      formatInteger(r.docsPerSecond),
      formatFixed(r.mbPerSecond, 1),
      formatFixed(r.cpuSeconds, 2),
      formatInteger(r.docsPerCpuSecond),
    ]),
  );
  const checkTable = formatTable(
    ['check', 'measured', 'target', 'result'],
    checks.map((k) => [
      k.check,
      k.value === undefined ? 'n/a' : `${k.value}${k.unit}`,
      `${k.higherIsBetter ? '>=' : '<='} ${k.target}${k.unit}`,
      k.pass === undefined ? 'not run' : k.pass ? 'pass' : 'FAIL',
    ]),
  );
  const notes: string[] = [
    `Average document: ${formatInteger(totalBytes / docs)} bytes of BSON; MB = 10^6 bytes. (c) is timed end to end: preflight, catalog, partitioning (an _id scan), the copy and the index builds.`,
    options.servers === 'in-process'
      ? 'CPU s is the CPU time of the whole process (servers + driver + tool) during the step; docs/CPU-s is steadier than docs/s when the machine is busy.'
      : 'CPU s is the CPU time of the client side only (the servers ran in child processes): this process for (a) and (b), the sync CLI\'s own process for (c).',
  ];
  let rssExplanation: Record<string, number> | undefined;
  if (memory && destinationStored && options.servers === 'in-process') {
    const storedMB = round((destinationStored.dataBytes + destinationStored.oplogBytes) / MB, 1);
    rssExplanation = {
      rssAtStartMB: memory.startRssMB,
      peakRssMB: memory.peakRssMB,
      growthMB: memory.growthRssMB,
      destinationDataMB: round(destinationStored.dataBytes / MB, 1),
      destinationOplogMB: round(destinationStored.oplogBytes / MB, 1),
      growthBeyondDestinationStorageMB: round(memory.growthRssMB - storedMB, 1),
      heapUsedAtPeakMB: memory.heapUsedAtPeakMB,
      arrayBuffersAtPeakMB: memory.arrayBuffersAtPeakMB,
    };
    notes.push(
      `RSS during (c): ${memory.startRssMB} MB at start (Node.js and the loaded modules, the source server with its ${formatFixed(totalBytes / MB, 0)} MB of documents and its oplog, ` +
        `and heap that earlier steps freed but the process kept), peak ${memory.peakRssMB} MB, growth ${memory.growthRssMB} MB.`,
      `The growth is mostly the destination server filling up in this same process: it now stores ${rssExplanation.destinationDataMB} MB of documents ` +
        `and ${rssExplanation.destinationOplogMB} MB of oplog. The remaining ${rssExplanation.growthBeyondDestinationStorageMB} MB is the tool's and the driver's ` +
        `in-flight batches and garbage not yet collected. Against real clusters only the tool's part would count; run with --servers child-process to measure it alone.`,
    );
  } else if (memory && options.servers === 'child-process') {
    rssExplanation = {
      syncProcessPeakRssMB: memory.peakRssMB,
      ...(serverRss?.sourceMB !== undefined ? { sourceServerRssMB: serverRss.sourceMB } : {}),
      ...(serverRss?.destinationMB !== undefined ? { destinationServerRssMB: serverRss.destinationMB } : {}),
    };
    notes.push(
      `Servers ran in child processes and (c) ran as the built CLI in its own process: its peak RSS of ${memory.peakRssMB} MB (the kernel's VmHWM) is the tool's alone: ` +
        `Node.js and the loaded modules, the driver, in-flight batches, and garbage not yet collected. The servers' own RSS after (c): source ${serverRss?.sourceMB ?? 'n/a'} MB, ` +
        `destination ${serverRss?.destinationMB ?? 'n/a'} MB.`,
    );
  }
  console.log(stepTable);
  console.log('');
  console.log(checkTable);
  for (const note of notes) console.log(`  ${note}`);
  const elapsedSeconds = round((Date.now() - started) / 1000, 1);
  console.log(`  suite took ${elapsedSeconds} s (rss now ${rssMB()} MB)`);

  const parameters = { servers: options.servers, docs, collections, averageDocumentBytes: Math.round(totalBytes / docs), totalBytes, insertBatch: BATCH, parallelism, steps, suiteSeconds: elapsedSeconds };
  const files = await writeSuiteResults(
    { suite: 'copy', machine: machineFacts(), parameters, results: { steps: results, checks, memory, rssExplanation }, table: `${stepTable}\n\n${checkTable}`, notes },
    {
      title: `Copy of ${formatInteger(docs)} docs (~1 KB, ${collections} collections): docs/s, higher is better`,
      unit: 'docs/s',
      bars: results.map((r) => ({
        label: r.label.replace(/:.*$/, '').replace(/ \(parallelism.*$/, ''),
        value: r.docsPerSecond,
        ...(r.step === 'c' && a ? { target: Math.round(a.docsPerSecond * COPY_TARGETS.toolOverCeiling) } : {}),
      })),
      footnotes: [
        ...results.map((r) => `${r.label}: ${formatFixed(r.mbPerSecond, 1)} MB/s in ${formatFixed(r.seconds, 1)} s`),
        ...checks.map((k) => `${k.check}: ${k.value ?? 'n/a'}${k.value === undefined ? '' : k.unit} (target ${k.higherIsBetter ? '>=' : '<='} ${k.target}${k.unit}) ${k.pass === undefined ? '' : k.pass ? 'pass' : 'FAIL'}`),
      ],
    },
  );
  console.log(`  wrote ${files.json} and ${files.svg}`);
  return { pass: checks.every((k) => k.pass !== false) };
}
