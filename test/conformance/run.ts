/**
 * `npm run conformance`: runs MongoDB's unified-format CRUD and change-stream spec tests (read in place from
 * ../shared/spec-data) against the embedded server, one server per test file, and prints per-file and per-suite
 * results. Flags: --verbose, --filter <substring>, --suite <crud|change-streams>, --json <path>, --check-baseline,
 * --update-baseline, --timeout-ms <n>, --budget-s <n>, --concurrency <n>, --spec-dir <path>, --uri <connection string> (run against
 * an existing deployment instead, one file at a time).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import pLimit from 'p-limit';
import { startServer } from '../harness/server.js';
import { baselineRegressions, raisedBaseline, readBaseline, writeBaseline } from './baseline.js';
import { runSpecFile, withTimeout } from './file_runner.js';
import { formatCauses, formatFailures, formatFileTable, formatTotals, suiteTotals } from './report.js';
import type { DeploymentFacts } from './run_on_requirements.js';
import { defaultSpecDataDir, loadIndex, loadSuite, SUITES, type SpecFile, type SuiteName } from './spec_loader.js';
import type { TestResult } from './test_result.js';
import { startWatchdog } from './watchdog.js';

/** How long the event loop may stay blocked before the watchdog aborts the run. */
const STALL_LIMIT_MS = 30_000;

const BASELINE_PATH = join(dirname(fileURLToPath(import.meta.url)), 'baseline.json');

const { values: flags } = parseArgs({
  options: {
    verbose: { type: 'boolean', default: false },
    filter: { type: 'string' },
    suite: { type: 'string' },
    json: { type: 'string' },
    'check-baseline': { type: 'boolean', default: false },
    'update-baseline': { type: 'boolean', default: false },
    'timeout-ms': { type: 'string', default: '3000' },
    'budget-s': { type: 'string', default: '150' },
    concurrency: { type: 'string', default: '4' },
    'spec-dir': { type: 'string' },
    uri: { type: 'string' },
  },
  strict: true,
});

/** Asks the deployment what runOnRequirements need: version and topology. */
async function deploymentFacts(uri: string, timeoutMs: number): Promise<DeploymentFacts> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: timeoutMs });
  try {
    const admin = client.db('admin');
    const buildInfo = await withTimeout(admin.command({ buildInfo: 1 }), timeoutMs, 'buildInfo');
    const hello = await withTimeout(admin.command({ hello: 1 }), timeoutMs, 'hello');
    const topology = hello.msg === 'isdbgrid' ? 'sharded' : hello.setName ? 'replicaset' : 'single';
    return {
      serverVersion: String(buildInfo.version),
      topology,
      serverless: false,
      auth: false,
      csfle: false,
      serverParameters: {},
    };
  } finally {
    await client.close();
  }
}

async function main(): Promise<number> {
  const specDir = flags['spec-dir'] ?? defaultSpecDataDir();
  if (!existsSync(specDir)) {
    console.log(`conformance: ${specDir} is absent; nothing to run`);
    return 0;
  }
  const timeoutMs = Number(flags['timeout-ms']);
  const suites = (Object.keys(SUITES) as SuiteName[]).filter((s) => flags.suite === undefined || flags.suite === s);
  if (suites.length === 0) {
    console.error(`conformance: unknown suite ${String(flags.suite)} (known: ${Object.keys(SUITES).join(', ')})`);
    return 2;
  }

  let facts: DeploymentFacts;
  if (flags.uri) {
    facts = await deploymentFacts(flags.uri, timeoutMs);
  } else {
    const probe = await startServer({ port: 0 });
    try {
      facts = await deploymentFacts(probe.uri, timeoutMs);
    } finally {
      await probe.stop();
    }
  }
  console.log(`conformance: server ${facts.serverVersion}, topology ${facts.topology}, spec data ${specDir}`);

  const started = Date.now();
  const deadlineMs = started + Number(flags['budget-s']) * 1000;
  const jobs: { file: SpecFile; index: ReturnType<typeof loadIndex> }[] = [];
  for (const suite of suites) {
    const index = loadIndex(specDir, suite);
    for (const file of loadSuite(specDir, suite)) jobs.push({ file, index });
  }
  // A driver promise abandoned by a timed-out operation may reject later; the test has already failed by then.
  process.on('unhandledRejection', (reason) => {
    if (flags.verbose) console.error(`conformance: late rejection ignored: ${String(reason)}`);
  });
  // The servers share this process: an exception escaping one of their socket handlers must not end the whole run
  // (the test in progress then fails by its timeout).
  process.on('uncaughtException', (error) => {
    console.error(`conformance: uncaught exception (server or driver): ${error.stack ?? String(error)}`);
  });
  const watchdog = startWatchdog(STALL_LIMIT_MS);

  const limit = pLimit(flags.uri ? 1 : Math.max(1, Number(flags.concurrency)));
  const perFile = await Promise.all(
    jobs.map(({ file, index }) =>
      limit(async (): Promise<TestResult[]> => {
        const server = flags.uri ? undefined : await startServer({ port: 0 });
        try {
          return await runSpecFile(file, {
            uri: flags.uri ?? server!.uri,
            facts,
            index,
            operationTimeoutMs: timeoutMs,
            filter: flags.filter,
            deadlineMs,
            onTestStart: (label) => watchdog.running(label),
          });
        } finally {
          await server?.stop();
        }
      }),
    ),
  );
  watchdog.stop();
  const results = perFile.flat();
  const totals = suiteTotals(results);

  console.log(formatFileTable(results));
  console.log('');
  console.log(formatTotals(totals));
  console.log('');
  console.log('Failures by cause:');
  console.log(formatCauses(results, flags.verbose ? Number.POSITIVE_INFINITY : 25) || '  none');
  for (const t of totals) {
    if (t.indexDisagreements.length > 0 && !flags.filter) {
      console.log(`\n${t.suite}: ${t.indexDisagreements.length} test(s) where applicability differs from the index:`);
      for (const line of t.indexDisagreements) console.log(`  ${line}`);
    }
  }
  if (flags.verbose) {
    console.log('');
    console.log(formatFailures(results));
  }
  console.log(`\nconformance: ${results.length} tests in ${jobs.length} files, ${((Date.now() - started) / 1000).toFixed(1)} s`);

  if (flags.json) {
    writeFileSync(flags.json, `${JSON.stringify({ facts, totals, results }, null, 2)}\n`);
    console.log(`conformance: results written to ${flags.json}`);
  }

  const passed = Object.fromEntries(totals.map((t) => [t.suite, t.all.passed])) as Record<SuiteName, number>;
  const partial = flags.filter !== undefined || flags.suite !== undefined || flags.uri !== undefined;
  if ((flags['check-baseline'] || flags['update-baseline']) && partial) {
    console.log('conformance: --filter/--suite/--uri runs are not compared with the baseline');
    return 0;
  }
  if (flags['update-baseline']) {
    const raised = raisedBaseline(readBaseline(BASELINE_PATH), passed);
    writeBaseline(BASELINE_PATH, raised);
    console.log(`conformance: baseline is now ${JSON.stringify(raised)}`);
  }
  if (flags['check-baseline']) {
    const regressions = baselineRegressions(readBaseline(BASELINE_PATH), passed);
    if (regressions.length > 0) {
      console.log(`conformance: below the baseline: ${regressions.join('; ')}`);
      return 1;
    }
    console.log('conformance: baseline met');
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('conformance: runner crashed:', error);
    process.exit(1);
  },
);
