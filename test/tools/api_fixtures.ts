/**
 * Builders for the HTTP API's tests: a progress document with overrides, and a strict reader of the Prometheus text
 * exposition format (so a malformed line fails the test instead of being skipped).
 */
import type { MigrationProgress } from '../../src/lifecycle/migration_status.js';

/** A progress document of a migration in the middle of its copy; `overrides` replace top-level fields. */
export function makeProgress(overrides: Partial<Record<keyof MigrationProgress, unknown>> = {}): MigrationProgress {
  const base: MigrationProgress = {
    state: 'RUNNING',
    canCommit: false,
    canWrite: false,
    info: 'initial sync: copying',
    lagTimeSeconds: 3,
    totalEventsApplied: 1234,
    collectionCopy: { estimatedCopiedBytes: 4096, documentsCopied: 40 },
    directionMapping: { Source: 'rs0/src:27017', Destination: 'rs1/dst:27017' },
    warnings: [],
    migrationId: 'default',
    direction: 'forward',
    phase: 'copying',
    failure: null,
    runningOn: { host: 'sync-host', pid: 4242, until: new Date('2030-01-02T03:04:05.678Z') },
    namespaces: [
      { ns: 'shop.orders', partitions: 3, partitionsDone: 2, documentsCopied: 30, bytesCopied: 3072 },
      { ns: 'shop.users', partitions: 2, partitionsDone: 1, documentsCopied: 10, bytesCopied: 1024 },
    ],
  };
  return { ...base, ...overrides } as MigrationProgress;
}

/** One sample of a scrape: `name{labels} value`. */
export interface PrometheusSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const METRIC_NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\["\\\\n])*"';
// Go's ParseFloat, which Prometheus uses, ignores case in NaN and Inf (prom-client writes `Nan`).
const VALUE = '[-+]?(?:\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?|[Ii]nf(?:inity)?|[Nn]a[Nn])';
const SAMPLE_LINE = new RegExp(`^(${METRIC_NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*,?)?\\})? (${VALUE})(?: -?\\d+)?$`);
const COMMENT_LINE = new RegExp(`^# (?:HELP ${METRIC_NAME} .*|TYPE ${METRIC_NAME} (?:counter|gauge|histogram|summary|untyped))$`);

/**
 * Parses a scrape. Throws on any line that is neither a `# HELP`/`# TYPE` comment nor `name{labels} value`, on a
 * sample whose metric has no `# TYPE`, and on a metric typed twice.
 */
export function parsePrometheusText(text: string): { samples: PrometheusSample[]; types: Map<string, string>; help: Map<string, string> } {
  const samples: PrometheusSample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (!COMMENT_LINE.test(line)) throw new Error(`Malformed comment line: ${line}`);
      const [, kind, name, ...rest] = line.split(' ');
      const target = kind === 'TYPE' ? types : help;
      if (target.has(name!)) throw new Error(`Metric ${name} has two ${kind} lines`);
      target.set(name!, rest.join(' '));
      continue;
    }
    const match = SAMPLE_LINE.exec(line);
    if (match === null) throw new Error(`Malformed sample line: ${line}`);
    const name = match[1]!;
    const family = [...types.keys()].find((t) => name === t || /^_(?:bucket|sum|count|total|created)$/.test(name.slice(t.length)) && name.startsWith(t));
    if (family === undefined) throw new Error(`Sample ${name} has no # TYPE line before it`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    const text = match[3]!;
    const value = /nan/i.test(text) ? Number.NaN : /inf/i.test(text) ? (text.startsWith('-') ? -Infinity : Infinity) : Number(text);
    samples.push({ name, labels, value });
  }
  return { samples, types, help };
}

/** The value of the one sample with this name and these labels; undefined when absent. */
export function sampleValue(samples: readonly PrometheusSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.keys(labels).length === Object.keys(s.labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`Several samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
