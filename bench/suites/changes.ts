/**
 * `changes` suite: the application of the source's changes (issue 4), on the embedded servers.
 *  backlog: a tiny initial copy (`sync start --once`), then `events` mixed writes on the source by a plain driver
 *    loop (timed: the source's own write rate), then `sync start --once` as a child process (the built CLI)
 *    catches up: events/s, and the child's peak RSS (VmHWM) and CPU time;
 *  alone: the same backlog applied again by the change application alone (`startChangeApplication`) in this
 *    process, into a fresh destination: no process start, preflight or lease;
 *  ceiling: the writes the tool sends for that backlog (a replacement upsert of a ~1 KB document per insert,
 *    update and replacement, a delete by `_id` per delete), pre-built and sent by a plain driver loop into a fresh
 *    destination: what the destination server can absorb at best, with nothing read or decoded;
 *  lag: a continuously running `sync start` child while a paced writer writes `rates` writes/s for `duration` s
 *    each; the lag of every write is read afterwards from the two oplogs (bench/lib/oplog_lag.ts).
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Buffer } from 'node:buffer';
import { MongoClient, type Document, type Timestamp } from 'mongodb';
import { startBenchServer, type BenchServer, type ServerMode } from '../lib/servers.js';
import { benchDocument } from '../lib/documents.js';
import { ChangeWorkload, HOT_PER_COLLECTION, HOT_SHARE, kindCounts, WRITE_MIX, writeWorkload, type WorkloadWrite } from '../lib/change_workload.js';
import { matchVisibility, readDocumentEntries, summarizeLag, type LagSummary } from '../lib/oplog_lag.js';
import { secondsBetweenLogs, startSyncChild, type SyncChildRun } from '../lib/sync_child.js';
import { machineFacts } from '../lib/machine.js';
import { collectGarbage, round, timed } from '../lib/measure.js';
import { writeSuiteResults } from '../lib/results.js';
import { withCpuProfile } from '../lib/cpu_profile.js';
import { formatFixed, formatInteger, formatTable } from '../lib/table.js';
import type { ProcessStats } from '../lib/process_stats.js';
import { writeSyncConfig } from '../../test/tools/run_cli.js';
import { ensureBuilt } from '../../test/tools/built_cli.js';
import { startChangeApplication, type ChangeApplicationOptions } from '../../src/changes/change_application.js';
import { CheckpointStore } from '../../src/state/checkpoint_store.js';
import { createClusterClients } from '../../src/topology/clients.js';
import { currentClusterTime } from '../../src/topology/deployment.js';
import { createLogger } from '../../src/log/logger.js';

export const CHANGES_STEPS = ['backlog', 'alone', 'ceiling', 'lag'] as const;
export type ChangesStep = (typeof CHANGES_STEPS)[number];

export interface ChangesSuiteOptions {
  /** Events of the backlog; default 200,000. */
  readonly events: number;
  /** Documents copied by the initial copy, spread over the collections; default 4,000. */
  readonly initialDocs: number;
  readonly collections: number;
  /** Steady write rates of the lag step, writes/s; default 2,000 and 5,000. */
  readonly rates: readonly number[];
  /** Seconds of each rate; default 60. */
  readonly durationSeconds: number;
  readonly steps: readonly ChangesStep[];
  readonly servers: ServerMode;
  /** When set: `changes-once.cpuprofile` (the CLI child's whole run) and `changes-alone.cpuprofile` go there. */
  readonly cpuProfileDir?: string;
  /** Tuning of the change application in the `alone` step (the CLI runs with the tool's defaults). */
  readonly applyOptions?: Partial<ChangeApplicationOptions>;
}

/** Targets of issue 4. */
export const CHANGES_TARGETS = Object.freeze({ applyEventsPerSecond: 20_000, p99LagMs: 1_000, lagTargetRate: 5_000, peakRssMB: 300 } as const);

const DATABASE = 'bench';
const MARKER_COLLECTION = 'marker';
/** Big enough for the backlog and a 60 s run at 5,000 writes/s on both sides: the lag is read from the oplogs afterwards. */
const OPLOG_MB = 2048;
/** Writes per driver round of the backlog: 1,000 split over the collections, one ordered bulkWrite each. */
const BACKLOG_ROUND = 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface BacklogResult {
  readonly events: number;
  readonly kinds: Record<string, number>;
  readonly sourceWrite: { seconds: number; writesPerSecond: number; cpuSeconds: number };
  /** Absent when the `backlog` step (the CLI) was not run. */
  readonly once?: {
    readonly code: number | null;
    readonly eventsApplied: number;
    readonly processSeconds: number;
    /** From the child's log: change application started -> stopped. */
    readonly applySeconds: number | undefined;
    readonly eventsPerSecond: number;
    readonly applyEventsPerSecond: number | undefined;
    readonly cpuSeconds: number | undefined;
    readonly eventsPerCpuSecond: number | undefined;
    readonly stats: ProcessStats;
    readonly firstRunStats: ProcessStats;
    readonly destinationEqual: boolean;
    readonly mismatch?: string;
  };
  readonly ceiling?: { readonly writes: number; readonly seconds: number; readonly writesPerSecond: number; readonly cpuSeconds: number };
  readonly alone?: {
    readonly events: number;
    readonly seconds: number;
    readonly eventsPerSecond: number;
    readonly cpuSeconds: number;
    readonly eventsPerCpuSecond: number;
    readonly cpuNote: string;
  };
}

interface LagPhase {
  readonly targetRate: number;
  readonly writes: number;
  readonly seconds: number;
  readonly achievedRate: number;
  /** Seconds from the writer's stop until a marker written then was on the destination. */
  readonly drainSeconds: number;
  readonly lag: LagSummary;
}

interface LagResult {
  readonly phases: readonly LagPhase[];
  readonly child: { code: number | null; stats: ProcessStats; maxLagTimeSecondsLogged: number | undefined };
  readonly destinationEqual: boolean;
  readonly mismatch?: string;
}

/** Compares the workload collections byte for byte (documents by `_id`); returns the first difference or undefined. */
async function firstDifference(source: MongoClient, destination: MongoClient, colls: readonly string[]): Promise<string | undefined> {
  for (const coll of colls) {
    const read = (client: MongoClient) => client.db(DATABASE).collection(coll).find({}, { sort: { _id: 1 }, raw: true, batchSize: 5000 })[Symbol.asyncIterator]();
    const a = read(source);
    const b = read(destination);
    for (let n = 0; ; n++) {
      const [x, y] = await Promise.all([a.next(), b.next()]);
      if (x.done && y.done) break;
      if (x.done || y.done) return `${coll}: ${x.done ? 'source' : 'destination'} ends after ${n} documents`;
      if (!Buffer.from(x.value as unknown as Uint8Array).equals(Buffer.from(y.value as unknown as Uint8Array))) return `${coll}: document #${n} (by _id) differs`;
    }
  }
  return undefined;
}

async function waitForMarker(source: MongoClient, destination: MongoClient, id: string, timeoutMs = 600_000): Promise<number> {
  const started = performance.now();
  await source.db(DATABASE).collection<Document>(MARKER_COLLECTION).insertOne({ _id: id as unknown as Document['_id'], at: new Date() });
  const deadline = Date.now() + timeoutMs;
  while ((await destination.db(DATABASE).collection<Document>(MARKER_COLLECTION).findOne({ _id: id as unknown as Document['_id'] })) === null) {
    if (Date.now() > deadline) throw new Error(`marker ${id} did not reach the destination within ${timeoutMs / 1000} s`);
    await sleep(20);
  }
  return (performance.now() - started) / 1000;
}

function requireSuccess(run: SyncChildRun, what: string): void {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}: ${run.otherStderr}\n${run.logs.filter((l) => l.level !== 'info').map((l) => JSON.stringify(l)).join('\n')}`);
}

function eventsAppliedOf(run: SyncChildRun): number {
  return Number((JSON.parse(run.stdout) as { eventsApplied: number }).eventsApplied);
}

async function withServers<T>(mode: ServerMode, fn: (source: BenchServer, destination: BenchServer) => Promise<T>): Promise<T> {
  const source = await startBenchServer(mode, { oplogSizeMB: OPLOG_MB });
  const destination = await startBenchServer(mode, { oplogSizeMB: OPLOG_MB });
  try {
    return await fn(source, destination);
  } finally {
    await destination.stop();
    await source.stop();
    collectGarbage();
  }
}

async function insertInitial(client: MongoClient, workload: ChangeWorkload): Promise<void> {
  for (const [coll, docs] of workload.initialDocuments()) {
    for (let i = 0; i < docs.length; i += 1000) await client.db(DATABASE).collection(coll).insertMany(docs.slice(i, i + 1000));
  }
}

async function runBacklog(options: ChangesSuiteOptions): Promise<BacklogResult> {
  return withServers(options.servers, async (source, destination) => {
    const workload = new ChangeWorkload(options.collections, options.initialDocs);
    const sourceClient = await MongoClient.connect(source.uri);
    const destinationClient = await MongoClient.connect(destination.uri);
    try {
      await insertInitial(sourceClient, workload);
      const withCli = options.steps.includes('backlog');
      const config = await writeSyncConfig(source.uri, destination.uri, 'logging:\n  level: info\n  format: json\n');
      const first = withCli ? await startSyncChild(['start', '--config', config, '--once', '--json']).done : undefined;
      if (first) {
        requireSuccess(first, 'the first sync start --once (initial copy)');
        console.log(`  initial copy of ${formatInteger(options.initialDocs)} documents: ${formatFixed(first.seconds, 1)} s`);
      }

      // The writes are generated before the clock starts: the step measures the source server and the driver.
      let writes: WorkloadWrite[] = workload.take(options.events);
      const kinds = kindCounts(writes);
      collectGarbage();
      const backlogStart = await currentClusterTime(sourceClient);
      const sourceWrite = await timed(async () => {
        for (let i = 0; i < writes.length; i += BACKLOG_ROUND) await writeWorkload(sourceClient, DATABASE, writes.slice(i, i + BACKLOG_ROUND));
      });
      const backlogEnd = await currentClusterTime(sourceClient);
      const shapes = writes.map(({ coll, kind, id, seq }) => ({ coll, kind, id, seq }));
      writes = [];
      collectGarbage();
      console.log(`  (1) source wrote ${formatInteger(options.events)} events in ${formatFixed(sourceWrite.seconds, 1)} s`);

      const sourceWriteResult = { seconds: round(sourceWrite.seconds, 2), writesPerSecond: Math.round(options.events / sourceWrite.seconds), cpuSeconds: round(sourceWrite.cpuSeconds, 2) };
      const alone = options.steps.includes('alone') ? await applyAlone(options, source, backlogStart, backlogEnd) : undefined;
      const ceiling = options.steps.includes('ceiling') ? await destinationCeiling(options, workload, shapes) : undefined;
      shapes.length = 0;
      const extra = { ...(alone ? { alone } : {}), ...(ceiling ? { ceiling } : {}) };
      if (first === undefined) return { events: options.events, kinds, sourceWrite: sourceWriteResult, ...extra };
      const profile = options.cpuProfileDir ? path.join(options.cpuProfileDir, 'changes-once.cpuprofile') : undefined;
      const second = await startSyncChild(['start', '--config', config, '--once', '--json'], profile === undefined ? {} : { cpuProfile: profile }).done;
      requireSuccess(second, 'sync start --once on the backlog');
      const eventsApplied = eventsAppliedOf(second) - eventsAppliedOf(first);
      const applySeconds = secondsBetweenLogs(second.logs, 'change application started', 'change application stopped');
      const mismatch = await firstDifference(sourceClient, destinationClient, workload.collections);
      if (mismatch !== undefined) {
        const file = path.join(os.tmpdir(), `changes-once-${Date.now()}.log`);
        await writeFile(file, `${second.stdout}\n${second.otherStderr}\n${second.logs.map((l) => JSON.stringify(l)).join('\n')}\n`);
        console.log(`  the destination differs after (2) (${mismatch}); the CLI's output is in ${file}`);
      }
      console.log(`  (2) sync start --once applied ${formatInteger(eventsApplied)} events in ${formatFixed(second.seconds, 1)} s (apply ${applySeconds ?? '?'} s); peak RSS ${second.stats.peakRssMB} MB; destination ${mismatch ?? 'equal'}`);
      const cpu = second.stats.cpuSeconds;
      return {
        events: options.events,
        kinds,
        sourceWrite: sourceWriteResult,
        ...extra,
        once: {
          code: second.code,
          eventsApplied,
          processSeconds: round(second.seconds, 2),
          applySeconds,
          eventsPerSecond: Math.round(eventsApplied / second.seconds),
          applyEventsPerSecond: applySeconds === undefined ? undefined : Math.round(eventsApplied / applySeconds),
          cpuSeconds: cpu,
          eventsPerCpuSecond: cpu === undefined ? undefined : Math.round(eventsApplied / cpu),
          stats: second.stats,
          firstRunStats: first.stats,
          destinationEqual: mismatch === undefined,
          ...(mismatch === undefined ? {} : { mismatch }),
        },
      };
    } finally {
      await sourceClient.close();
      await destinationClient.close();
    }
  });
}

/**
 * The backlog applied again by `startChangeApplication` in this process, into a fresh destination: the apply path
 * alone (reader, translation, writers, checkpoints), from the cluster time before the backlog to the one after it.
 */
async function applyAlone(options: ChangesSuiteOptions, source: BenchServer, from: Timestamp, to: Timestamp): Promise<NonNullable<BacklogResult['alone']>> {
  const destination = await startBenchServer(options.servers, { oplogSizeMB: OPLOG_MB });
  const clients = createClusterClients(source.uri, destination.uri);
  try {
    await clients.source.connect();
    await clients.destination.connect();
    const logger = createLogger({ level: 'warn', format: 'json' });
    collectGarbage();
    const profiled = <T>(fn: () => Promise<T>): Promise<T> =>
      options.cpuProfileDir ? withCpuProfile(path.join(options.cpuProfileDir, 'changes-alone.cpuprofile'), fn) : fn();
    const run = await timed(() => profiled(async () => {
      const application = startChangeApplication({
        source: clients.source,
        destination: clients.destination,
        migrationId: 'bench-alone',
        filter: {},
        buildIndexes: 'afterDataCopy',
        t0: from,
        checkpoints: new CheckpointStore(clients.destination),
        logger,
        now: () => new Date(),
        ...(options.applyOptions ? { options: options.applyOptions } : {}),
      });
      await Promise.race([application.caughtUpTo(to), application.done]);
      const events = application.status().eventsApplied;
      await application.stop();
      return events;
    }));
    const events = run.value;
    // No comparison with the source here: this destination never got the initial copy, so the initial documents
    // the backlog did not touch are missing by design.
    console.log(`  (2b) the change application alone applied ${formatInteger(events)} events in ${formatFixed(run.seconds, 1)} s`);
    return {
      events,
      seconds: round(run.seconds, 2),
      eventsPerSecond: Math.round(events / run.seconds),
      cpuSeconds: round(run.cpuSeconds, 2),
      eventsPerCpuSecond: Math.round(events / run.cpuSeconds),
      cpuNote: options.servers === 'in-process' ? 'CPU of this process: servers, driver and tool' : 'CPU of this process: driver and tool',
    };
  } finally {
    await clients.close();
    await destination.stop();
  }
}

/**
 * The destination's ceiling for the backlog (see the module comment). The writes are built 20,000 at a time outside
 * the clock; an update's replacement is the document's original version with the write's `seq` (the same size as
 * the looked-up document the tool would write).
 */
async function destinationCeiling(options: ChangesSuiteOptions, workload: ChangeWorkload, shapes: readonly Pick<WorkloadWrite, 'coll' | 'kind' | 'id' | 'seq'>[]): Promise<NonNullable<BacklogResult['ceiling']>> {
  const destination = await startBenchServer(options.servers, { oplogSizeMB: OPLOG_MB });
  const client = await MongoClient.connect(destination.uri);
  try {
    await insertInitial(client, workload);
    collectGarbage();
    let seconds = 0;
    let cpuSeconds = 0;
    for (let from = 0; from < shapes.length; from += 20_000) {
      const chunk: WorkloadWrite[] = shapes.slice(from, from + 20_000).map((w) => ({
        ...w,
        op: w.kind === 'delete'
          ? { deleteOne: { filter: { _id: w.id } } }
          : { replaceOne: { filter: { _id: w.id }, replacement: { ...benchDocument(w.id), seq: w.seq }, upsert: true } },
      }));
      const run = await timed(async () => {
        for (let i = 0; i < chunk.length; i += BACKLOG_ROUND) await writeWorkload(client, DATABASE, chunk.slice(i, i + BACKLOG_ROUND));
      });
      seconds += run.seconds;
      cpuSeconds += run.cpuSeconds;
    }
    console.log(`  (1b) destination ceiling: ${formatInteger(shapes.length)} replacement upserts and deletes in ${formatFixed(seconds, 1)} s`);
    return { writes: shapes.length, seconds: round(seconds, 2), writesPerSecond: Math.round(shapes.length / seconds), cpuSeconds: round(cpuSeconds, 2) };
  } finally {
    await client.close();
    await destination.stop();
    collectGarbage();
  }
}

/**
 * Writes `rate` workload writes per second for `seconds`: each round writes what is due by now (at most 50 ms worth),
 * then sleeps until the next write is due. A source that cannot keep up shows as an achieved rate below `rate`.
 */
async function pacedWrites(client: MongoClient, workload: ChangeWorkload, rate: number, seconds: number): Promise<{ writes: number; seconds: number }> {
  const start = performance.now();
  const end = start + seconds * 1000;
  const maxRound = Math.max(1, Math.ceil(rate / 20));
  let issued = 0;
  for (;;) {
    const now = performance.now();
    if (now >= end) break;
    const due = Math.floor(((now - start) / 1000) * rate) - issued;
    if (due <= 0) {
      await sleep(Math.max(1, ((issued + 1) / rate) * 1000 - (now - start)));
      continue;
    }
    const count = Math.min(due, maxRound);
    await writeWorkload(client, DATABASE, workload.take(count));
    issued += count;
  }
  return { writes: issued, seconds: (performance.now() - start) / 1000 };
}

async function runLag(options: ChangesSuiteOptions): Promise<LagResult> {
  return withServers(options.servers, async (source, destination) => {
    const workload = new ChangeWorkload(options.collections, options.initialDocs);
    const sourceClient = await MongoClient.connect(source.uri);
    const destinationClient = await MongoClient.connect(destination.uri);
    try {
      await insertInitial(sourceClient, workload);
      const config = await writeSyncConfig(source.uri, destination.uri, 'logging:\n  level: info\n  format: json\n');
      const child = startSyncChild(['start', '--config', config]);
      child.done.then((run) => {
        if (run.code !== 130 && run.code !== 0) console.error(`  sync start exited ${run.code} during the lag step`);
      }, () => undefined);
      await Promise.race([waitForMarker(sourceClient, destinationClient, 'ready'), child.done.then(() => Promise.reject(new Error('sync start exited early')))]);
      console.log('  sync start is copying done and applying changes');
      const windows: { rate: number; after: Timestamp; upTo: Timestamp; writes: number; seconds: number; drainSeconds: number }[] = [];
      for (const rate of options.rates) {
        await sleep(2000);
        const after = await currentClusterTime(sourceClient);
        const wrote = await pacedWrites(sourceClient, workload, rate, options.durationSeconds);
        const upTo = await currentClusterTime(sourceClient);
        const drainSeconds = await waitForMarker(sourceClient, destinationClient, `after-${rate}`);
        windows.push({ rate, after, upTo, ...wrote, drainSeconds });
        console.log(`  (3) ${formatInteger(rate)} writes/s for ${options.durationSeconds} s: wrote ${formatInteger(wrote.writes)} (${formatInteger(wrote.writes / wrote.seconds)}/s); caught up ${formatFixed(drainSeconds, 2)} s after the writer stopped`);
      }
      const run = await child.stop();
      const namespaces = workload.collections.map((c) => `${DATABASE}.${c}`);
      const destinationEntries = await readDocumentEntries(destinationClient, namespaces);
      const phases: LagPhase[] = [];
      for (const w of windows) {
        const sourceEntries = await readDocumentEntries(sourceClient, namespaces, { after: w.after, upTo: w.upTo });
        const lag = summarizeLag(matchVisibility(sourceEntries, destinationEntries));
        phases.push({ targetRate: w.rate, writes: w.writes, seconds: round(w.seconds, 2), achievedRate: Math.round(w.writes / w.seconds), drainSeconds: round(w.drainSeconds, 2), lag });
      }
      const mismatch = await firstDifference(sourceClient, destinationClient, workload.collections);
      const logged = run.logs.filter((l) => l.message === 'change application progress').map((l) => Number(l.lagTimeSeconds));
      return {
        phases,
        child: { code: run.code, stats: run.stats, maxLagTimeSecondsLogged: logged.length === 0 ? undefined : Math.max(...logged) },
        destinationEqual: mismatch === undefined,
        ...(mismatch === undefined ? {} : { mismatch }),
      };
    } finally {
      await sourceClient.close();
      await destinationClient.close();
    }
  });
}

function ms(value: number): string {
  return Number.isNaN(value) ? 'n/a' : formatInteger(value);
}

export async function runChangesSuite(options: ChangesSuiteOptions): Promise<{ pass: boolean }> {
  const started = Date.now();
  console.log(`\n== changes: backlog of ${formatInteger(options.events)} mixed events; lag at ${options.rates.join(', ')} writes/s for ${options.durationSeconds} s; steps ${options.steps.join(',')}; servers ${options.servers} ==`);
  ensureBuilt();
  const loadAtStart = round(os.loadavg()[0], 2);
  const backlog = ['backlog', 'alone', 'ceiling'].some((step) => options.steps.includes(step as ChangesStep)) ? await runBacklog(options) : undefined;
  const lag = options.steps.includes('lag') ? await runLag(options) : undefined;

  const rows: string[][] = [];
  if (backlog) {
    const { sourceWrite, once, alone } = backlog;
    rows.push(['(1) source: plain driver loop of the workload', formatInteger(backlog.events), formatFixed(sourceWrite.seconds, 2), formatInteger(sourceWrite.writesPerSecond), formatFixed(sourceWrite.cpuSeconds, 2), formatInteger(backlog.events / sourceWrite.cpuSeconds)]);
    if (backlog.ceiling) rows.push(['(1b) destination ceiling: the tool\'s writes, pre-built', formatInteger(backlog.ceiling.writes), formatFixed(backlog.ceiling.seconds, 2), formatInteger(backlog.ceiling.writesPerSecond), formatFixed(backlog.ceiling.cpuSeconds, 2), formatInteger(backlog.ceiling.writes / backlog.ceiling.cpuSeconds)]);
    if (once) rows.push(['(2) sync start --once (child), end to end', formatInteger(once.eventsApplied), formatFixed(once.processSeconds, 2), formatInteger(once.eventsPerSecond), formatFixed(once.cpuSeconds ?? NaN, 2), formatInteger(once.eventsPerCpuSecond ?? NaN)]);
    if (once?.applySeconds !== undefined) rows.push(['    of which the change application', formatInteger(once.eventsApplied), formatFixed(once.applySeconds, 2), formatInteger(once.applyEventsPerSecond ?? NaN), '-', '-']);
    if (alone) rows.push(['(2b) change application alone, in-process', formatInteger(alone.events), formatFixed(alone.seconds, 2), formatInteger(alone.eventsPerSecond), formatFixed(alone.cpuSeconds, 2), formatInteger(alone.eventsPerCpuSecond)]);
  }
  const rateTable = formatTable(['step', 'events', 'seconds', 'events/s', 'CPU s', 'events/CPU-s'], rows);
  const lagTable = lag
    ? formatTable(
        ['rate (target)', 'achieved/s', 'writes', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'unmatched', 'drain s'],
        lag.phases.map((p) => [formatInteger(p.targetRate), formatInteger(p.achievedRate), formatInteger(p.writes), ms(p.lag.p50Ms), ms(p.lag.p90Ms), ms(p.lag.p99Ms), ms(p.lag.maxMs), formatInteger(p.lag.unmatched), formatFixed(p.drainSeconds, 2)]),
      )
    : '';

  const lagAtTarget = lag?.phases.find((p) => p.targetRate === CHANGES_TARGETS.lagTargetRate);
  type Check = { check: string; display: string; target: string; pass: boolean | undefined };
  const check = (name: string, value: number | undefined, unit: string, target?: { value: number; higherIsBetter: boolean }): Check => ({
    check: name,
    display: value === undefined || Number.isNaN(value) ? 'n/a' : `${unit === ' x' ? value : formatInteger(value)}${unit}`,
    target: target === undefined ? '-' : `${target.higherIsBetter ? '>=' : '<='} ${formatInteger(target.value)}${unit}`,
    pass: target === undefined || value === undefined || Number.isNaN(value) ? undefined : target.higherIsBetter ? value >= target.value : value <= target.value,
  });
  const equal = [backlog?.once?.destinationEqual, lag?.destinationEqual].filter((v) => v !== undefined);
  const checks: Check[] = [
    check('apply: sync start --once, events/s', backlog?.once?.eventsPerSecond, '', { value: CHANGES_TARGETS.applyEventsPerSecond, higherIsBetter: true }),
    check('apply: change application alone, events/s', backlog?.alone?.eventsPerSecond, '', { value: CHANGES_TARGETS.applyEventsPerSecond, higherIsBetter: true }),
    check('apply (--once) / source write rate', backlog?.once ? round(backlog.once.eventsPerSecond / backlog.sourceWrite.writesPerSecond, 2) : undefined, ' x'),
    check('apply (--once) / destination ceiling', backlog?.once && backlog.ceiling ? round(backlog.once.eventsPerSecond / backlog.ceiling.writesPerSecond, 2) : undefined, ' x'),
    check(`p99 lag at ${formatInteger(CHANGES_TARGETS.lagTargetRate)} writes/s${lagAtTarget ? ` (achieved ${formatInteger(lagAtTarget.achievedRate)}/s)` : ''}`, lagAtTarget?.lag.p99Ms, ' ms',
      lagAtTarget && lagAtTarget.achievedRate < 0.9 * lagAtTarget.targetRate ? undefined : { value: CHANGES_TARGETS.p99LagMs, higherIsBetter: false }),
    check('peak RSS of sync start --once (backlog)', backlog?.once?.stats.peakRssMB, ' MB', { value: CHANGES_TARGETS.peakRssMB, higherIsBetter: false }),
    check('peak RSS of sync start (lag step)', lag?.child.stats.peakRssMB, ' MB', { value: CHANGES_TARGETS.peakRssMB, higherIsBetter: false }),
    // A p99 measured at a rate the source never reached says nothing about the target rate.
    ...(lagAtTarget && lagAtTarget.achievedRate < 0.9 * lagAtTarget.targetRate
      ? [{ check: `  (${formatInteger(lagAtTarget.targetRate)} writes/s not reached: the lag check above does not count)`, display: '-', target: '-', pass: undefined }]
      : []),
    { check: 'destination equals source afterwards', display: equal.length === 0 ? 'n/a' : equal.every(Boolean) ? 'yes' : 'NO', target: 'yes', pass: equal.length === 0 ? undefined : equal.every(Boolean) },
  ];
  const checkTable = formatTable(
    ['check', 'measured', 'target', 'result'],
    checks.map((k) => [k.check, k.display, k.target, k.pass === undefined ? (k.target === '-' ? '-' : 'not run') : k.pass ? 'pass' : 'FAIL']),
  );
  const notes: string[] = [
    `Workload: ${Object.entries(WRITE_MIX).map(([k, v]) => `${k} ${Math.round(v * 100)}%`).join(', ')}; ${options.collections} collections; ${HOT_PER_COLLECTION} hot documents per collection take ${Math.round(HOT_SHARE * 100)}% of the updates and replacements; inserted and replacement documents ~1 KB.`,
    `CPU s: ${options.servers === 'in-process' ? 'this process (servers + driver) for (1), (1b) and (2b) (servers + tool)' : 'this process (driver; tool too for (2b)), servers apart'}; the child's own for (2). 1-minute load average ${loadAtStart} at the start, ${round(os.loadavg()[0], 2)} at the end, on ${os.cpus().length} cores.`,
    'events/s of (2) is end to end (process start, preflight, lease, catch-up, checkpoint, exit); its CPU s is the child\'s own (/proc). Lag: destination oplog wall - source oplog wall of each write (see bench/README.md).',
  ];
  if (backlog) notes.push(`Backlog kinds: ${Object.entries(backlog.kinds).map(([k, v]) => `${k} ${formatInteger(v)}`).join(', ')}.`);
  if (backlog?.once && !backlog.once.destinationEqual) notes.push(`After (2) the destination differs: ${backlog.once.mismatch}.`);
  if (lag && !lag.destinationEqual) notes.push(`After the lag step the destination differs: ${lag.mismatch}.`);
  if (lag) notes.push(`sync start (lag step): peak RSS ${lag.child.stats.peakRssMB} MB, CPU ${lag.child.stats.cpuSeconds} s; largest lagTimeSeconds it logged: ${lag.child.maxLagTimeSecondsLogged ?? 'n/a'}.`);
  console.log(rateTable);
  if (lagTable) console.log(`\n${lagTable}`);
  console.log(`\n${checkTable}`);
  for (const note of notes) console.log(`  ${note}`);
  const elapsedSeconds = round((Date.now() - started) / 1000, 1);
  console.log(`  suite took ${elapsedSeconds} s`);

  const parameters = {
    servers: options.servers, events: options.events, initialDocs: options.initialDocs, collections: options.collections,
    rates: options.rates, durationSeconds: options.durationSeconds, steps: options.steps, writeMix: WRITE_MIX,
    hotPerCollection: HOT_PER_COLLECTION, hotShare: HOT_SHARE, backlogRound: BACKLOG_ROUND, applyOptions: options.applyOptions ?? {}, suiteSeconds: elapsedSeconds,
    loadAverage1mAtStart: loadAtStart,
  };
  const bars = [
    ...(backlog ? [
      { label: '(1) source write rate', value: backlog.sourceWrite.writesPerSecond },
      ...(backlog.ceiling ? [{ label: '(1b) destination ceiling', value: backlog.ceiling.writesPerSecond }] : []),
      ...(backlog.once ? [{ label: '(2) sync start --once', value: backlog.once.eventsPerSecond, target: CHANGES_TARGETS.applyEventsPerSecond }] : []),
      ...(backlog.alone ? [{ label: '(2b) application alone', value: backlog.alone.eventsPerSecond, target: CHANGES_TARGETS.applyEventsPerSecond }] : []),
      ...(backlog.once?.stats.peakRssMB !== undefined ? [{ label: '(4) peak RSS, --once', value: backlog.once.stats.peakRssMB!, target: CHANGES_TARGETS.peakRssMB, lowerIsBetter: true, unit: 'MB' }] : []),
    ] : []),
    ...(lag ? lag.phases.flatMap((p) => [
      { label: `(3) p50 lag @ ${formatInteger(p.targetRate)}/s`, value: p.lag.p50Ms, unit: 'ms' },
      { label: `(3) p99 lag @ ${formatInteger(p.targetRate)}/s`, value: p.lag.p99Ms, unit: 'ms', ...(p.targetRate === CHANGES_TARGETS.lagTargetRate ? { target: CHANGES_TARGETS.p99LagMs, lowerIsBetter: true } : {}) },
    ]) : []),
  ];
  const files = await writeSuiteResults(
    { suite: 'changes', machine: machineFacts(), parameters, results: { backlog, lag, checks }, table: [rateTable, lagTable, checkTable].filter(Boolean).join('\n\n'), notes },
    {
      title: `Change application: ${formatInteger(options.events)}-event backlog, lag at ${options.rates.join(' and ')} writes/s`,
      unit: 'events/s',
      bars,
      footnotes: checks.filter((k) => k.target !== '-').map((k) => `${k.check}: ${k.display} (target ${k.target}) ${k.pass === undefined ? '' : k.pass ? 'pass' : 'FAIL'}`),
    },
  );
  console.log(`  wrote ${files.json} and ${files.svg}`);
  return { pass: checks.every((k) => k.pass !== false) };
}
