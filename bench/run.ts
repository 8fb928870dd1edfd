/**
 * `npm run bench [-- <suite>...] [--docs N] [--steps a,b,c]`: runs the named suites (all when none is named),
 * prints their tables and writes `bench/results/<suite>.json` and `.svg`. See bench/README.md.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runServerSuite } from './suites/server.js';
import { runCopySuite, COPY_STEPS, type CopyStep } from './suites/copy.js';
import { runChangesSuite, CHANGES_STEPS, type ChangesStep } from './suites/changes.js';
import { SERVER_MODES, type ServerMode } from './lib/servers.js';

const SUITES = ['server', 'copy', 'changes'] as const;
type Suite = (typeof SUITES)[number];

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} expects a positive integer, found "${text}".`);
  return value;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      docs: { type: 'string' },
      'server-docs': { type: 'string' },
      steps: { type: 'string' },
      parallelism: { type: 'string' },
      'cpu-profile': { type: 'string' },
      servers: { type: 'string', default: 'in-process' },
      events: { type: 'string' },
      'initial-docs': { type: 'string' },
      rates: { type: 'string' },
      duration: { type: 'string' },
      'changes-steps': { type: 'string' },
      'apply-writers': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm run bench -- [server] [copy] [--docs N] [--server-docs N] [--steps a,b,c] [--parallelism P]\n' +
        '  server         embedded server: insertMany ingest and find/getMore reads (--server-docs, default 200000)\n' +
        '  copy           ceiling (a), driver copy loop (b), sync start --once (c) (--docs, default 500000)\n' +
        '  --steps        copy steps to run, default a,b,c\n' +
        '  --servers      in-process (default: servers share this process, as in the tests) or child-process\n' +
        '  --parallelism  copy.parallelism of step (c), default 4 (the tool\'s default)\n' +
        '  changes        change application: backlog of --events (default 200000) mixed events applied by sync start --once,\n' +
        '                 the same by the change application alone, lag at --rates (default 2000,5000) writes/s for\n' +
        '                 --duration seconds each (default 60); --changes-steps backlog,alone,ceiling,lag; --initial-docs (4000);\n' +
        '                 --apply-writers N (writers of the in-process "alone" step; the CLI keeps its defaults)\n' +
        '  --cpu-profile DIR  write a CPU profile of each copy step alone to DIR/copy-<step>.cpuprofile\n' +
        '                   (changes: DIR/changes-once.cpuprofile, the CLI child, and DIR/changes-alone.cpuprofile)\n' +
        '                   (summarize one: npx tsx bench/profile_summary.ts DIR/copy-c.cpuprofile)',
    );
    return 0;
  }
  const unknown = positionals.filter((p) => !(SUITES as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`Unknown suite ${unknown.join(', ')}; expected one of ${SUITES.join(', ')}.`);
  const suites: Suite[] = positionals.length > 0 ? (positionals as Suite[]) : [...SUITES];
  const steps = (values.steps ?? COPY_STEPS.join(',')).split(',').map((s) => s.trim());
  const badStep = steps.find((s) => !(COPY_STEPS as readonly string[]).includes(s));
  if (badStep) throw new Error(`Unknown copy step "${badStep}"; expected some of ${COPY_STEPS.join(',')}.`);

  const servers = values.servers as ServerMode;
  if (!(SERVER_MODES as readonly string[]).includes(servers)) throw new Error(`--servers expects one of ${SERVER_MODES.join(', ')}, found "${servers}".`);
  let pass = true;
  for (const suite of suites) {
    if (suite === 'changes') {
      const changeSteps = (values['changes-steps'] ?? CHANGES_STEPS.join(',')).split(',').map((s) => s.trim());
      const badChangeStep = changeSteps.find((s) => !(CHANGES_STEPS as readonly string[]).includes(s));
      if (badChangeStep) throw new Error(`Unknown changes step "${badChangeStep}"; expected some of ${CHANGES_STEPS.join(',')}.`);
      const rates = (values.rates ?? '2000,5000').split(',').map((r) => positiveInteger('rates', r.trim(), 0));
      const writers = values['apply-writers'] === undefined ? undefined : positiveInteger('apply-writers', values['apply-writers'], 8);
      const result = await runChangesSuite({
        events: positiveInteger('events', values.events, 200_000),
        initialDocs: positiveInteger('initial-docs', values['initial-docs'], 4_000),
        collections: 4,
        rates,
        durationSeconds: positiveInteger('duration', values.duration, 60),
        steps: changeSteps as ChangesStep[],
        servers,
        ...(values['cpu-profile'] ? { cpuProfileDir: path.resolve(values['cpu-profile']) } : {}),
        ...(writers === undefined ? {} : { applyOptions: { writers } }),
      });
      pass = result.pass && pass;
    } else if (suite === 'server') {
      pass = (await runServerSuite({ docs: positiveInteger('server-docs', values['server-docs'], 200_000), batchSize: 1000, servers })).pass && pass;
    } else {
      const result = await runCopySuite({
        docs: positiveInteger('docs', values.docs, 500_000),
        collections: 4,
        servers,
        parallelism: positiveInteger('parallelism', values.parallelism, 4),
        steps: steps as CopyStep[],
        ...(values['cpu-profile'] ? { cpuProfileDir: path.resolve(values['cpu-profile']) } : {}),
      });
      pass = result.pass && pass;
    }
  }
  console.log(pass ? '\nAll targets met.' : '\nSome targets were missed (see the result columns).');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
