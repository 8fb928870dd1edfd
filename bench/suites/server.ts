/**
 * `server` suite: the embedded server's own speed, seen through the official driver on one connection.
 *  - ingest: insertMany of ~1 KB documents in batches of 1,000, one batch at a time;
 *  - read: find over all of them with batchSize 1,000 (find + getMores), decoded by the driver;
 *  - read (raw): the same with `raw: true` (the copier's mode: the driver hands back the bytes undecoded).
 */
import { MongoClient, type Document } from 'mongodb';
import { startBenchServer, type ServerMode } from '../lib/servers.js';
import { benchDocuments, bsonBytes } from '../lib/documents.js';
import { machineFacts } from '../lib/machine.js';
import { collectGarbage, throughput, timed, type Throughput } from '../lib/measure.js';
import { writeSuiteResults } from '../lib/results.js';
import { formatFixed, formatInteger, formatTable } from '../lib/table.js';

export interface ServerSuiteOptions {
  /** Documents ingested and then read; default 200,000. */
  readonly docs: number;
  /** Documents per insertMany; default 1,000. */
  readonly batchSize: number;
  /** Where the server runs: in this process (default) or in a child process. */
  readonly servers: ServerMode;
}

/** Targets in documents per second. */
export const SERVER_TARGETS = Object.freeze({ ingestDocsPerSecond: 50_000, readDocsPerSecond: 100_000 } as const);

export interface ServerStepResult extends Throughput {
  readonly step: string;
  readonly targetDocsPerSecond: number;
  readonly pass: boolean;
}

export async function runServerSuite(options: ServerSuiteOptions): Promise<{ pass: boolean }> {
  const { docs, batchSize } = options;
  const parameters = { servers: options.servers, docs, batchSize, readBatchSize: 1000, connection: 'one MongoClient, default options' };
  console.log(`\n== server: ${formatInteger(docs)} documents of ~1 KB, insertMany batches of ${batchSize} ==`);
  const server = await startBenchServer(options.servers);
  const client = await MongoClient.connect(server.uri);
  try {
    const collection = client.db('bench').collection('docs');
    // The batches are built before the clock starts: the step measures the server and the driver, not the generator.
    const batches: Document[][] = [];
    for (let start = 0; start < docs; start += batchSize) batches.push(benchDocuments(start, Math.min(batchSize, docs - start)));
    const totalBytes = batches.reduce((sum, b) => sum + bsonBytes(b), 0);
    collectGarbage();

    const ingest = await timed(async () => {
      for (const batch of batches) await collection.insertMany(batch);
    });
    batches.length = 0;
    collectGarbage();

    const read = await timed(async () => {
      let count = 0;
      for await (const _doc of collection.find({}, { batchSize: 1000 })) count++;
      return count;
    });
    collectGarbage();
    const readRaw = await timed(async () => {
      let count = 0;
      let bytes = 0;
      for await (const raw of collection.find({}, { batchSize: 1000, raw: true }) as AsyncIterable<Uint8Array>) {
        count++;
        bytes += raw.byteLength;
      }
      return { count, bytes };
    });
    if (read.value !== docs || readRaw.value.count !== docs) {
      throw new Error(`read ${read.value} and ${readRaw.value.count} documents, expected ${docs}`);
    }

    const step = (name: string, t: Throughput, target: number): ServerStepResult => ({
      step: name,
      ...t,
      targetDocsPerSecond: target,
      pass: t.docsPerSecond >= target,
    });
    const results = [
      step('ingest: insertMany x1000', throughput(docs, totalBytes, ingest), SERVER_TARGETS.ingestDocsPerSecond),
      step('read: find/getMore', throughput(docs, totalBytes, read), SERVER_TARGETS.readDocsPerSecond),
      step('read: find/getMore raw', throughput(docs, readRaw.value.bytes, readRaw), SERVER_TARGETS.readDocsPerSecond),
    ];
    const table = formatTable(
      ['step', 'docs', 'seconds', 'docs/s', 'MB/s', 'target docs/s', 'result', 'CPU s', 'docs/CPU-s'],
      results.map((r) => [
        r.step,
        formatInteger(r.docs),
        formatFixed(r.seconds, 2),
        formatInteger(r.docsPerSecond),
        formatFixed(r.mbPerSecond, 1),
        formatInteger(r.targetDocsPerSecond),
        r.pass ? 'pass' : 'FAIL',
        formatFixed(r.cpuSeconds, 2),
        formatInteger(r.docsPerCpuSecond),
      ]),
    );
    const notes = [
      `Average document: ${formatInteger(totalBytes / docs)} bytes of BSON; MB = 10^6 bytes.`,
      options.servers === 'in-process'
        ? 'Client and server share one Node.js process and one event loop: each number includes the driver\'s work too.'
        : 'The server ran in a child process; CPU s counts this (client) process only.',
      'CPU s is the process\'s CPU time during the step; docs/CPU-s is steadier than docs/s when the machine is busy.',
    ];
    console.log(table);
    for (const note of notes) console.log(`  ${note}`);
    const files = await writeSuiteResults(
      { suite: 'server', machine: machineFacts(), parameters, results, table, notes },
      {
        title: `Embedded server: ${formatInteger(docs)} docs of ~1 KB (docs/s, higher is better)`,
        unit: 'docs/s',
        bars: results.map((r) => ({ label: r.step, value: r.docsPerSecond, target: r.targetDocsPerSecond })),
        footnotes: results.map((r) => `${r.step}: ${formatFixed(r.mbPerSecond, 1)} MB/s, ${r.pass ? 'pass' : 'FAIL'}`),
      },
    );
    console.log(`  wrote ${files.json} and ${files.svg}`);
    return { pass: results.every((r) => r.pass) };
  } finally {
    await client.close();
    await server.stop();
  }
}
