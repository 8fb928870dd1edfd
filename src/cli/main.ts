/**
 * The `sync` command line: the yargs factory (so tests parse argv in-process), the one top-level error handler
 * mapping errors to exit codes, and `main()`, which `bin/sync.js` runs.
 *
 * Command results go to stdout; error reports and logs go to stderr.
 */
import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { LOG_LEVELS, type LogLevel } from '../log/logger.js';
import type { CliContext } from './cli_context.js';
import { COMMANDS } from './commands/command_list.js';
import { EXIT_CODES, exitCodeFor, type ExitCode } from './exit_codes.js';
import { formatError } from './report_error.js';

/** The name the help text uses (the package also installs the `c2c-sync` alias). */
export const SCRIPT_NAME = 'sync';

/** Help lines never wider than this, whatever the terminal. */
const MAX_HELP_WIDTH = 100;

/** The package version, from package.json (two levels up from both `src/cli/` and `dist/cli/`). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** Builds the yargs parser for a context. Parsing runs the matching command's handler. */
export function createCli(context: CliContext): Argv {
  let cli = yargs()
    .scriptName(SCRIPT_NAME)
    .usage('$0 <command> [options]\n\nMigrate a MongoDB deployment to another one and keep them in sync until cut-over.')
    .strict()
    .recommendCommands()
    .exitProcess(false)
    .version(packageVersion())
    .help()
    .alias('help', 'h')
    .wrap(Math.min(MAX_HELP_WIDTH, yargs().terminalWidth()))
    .middleware((argv) => {
      // Known before the configuration loads, so that even a config error shows its stack at debug level.
      const level = argv['log-level'];
      if (typeof level === 'string' && (LOG_LEVELS as readonly string[]).includes(level)) {
        context.logLevel = level as LogLevel;
      }
    }, true);
  for (const command of COMMANDS) cli = cli.command(command(context));
  return cli
    .demandCommand(1, 'Specify a command.')
    .fail((message: string | undefined, error: Error | undefined) => {
      // Handler errors arrive as `error`; parse and validation failures only as `message`.
      throw error ?? new UsageError(`${message ?? 'Invalid command line'}.`.replace(/\.\.$/, '.'));
    });
}

/**
 * Runs the command line `args` (without `node` and the script) and returns the exit code. Never throws: every
 * error is reported on `context.stderr` as `name [code]: message` plus its hint.
 */
export async function runCli(args: readonly string[], context: CliContext): Promise<ExitCode> {
  try {
    await createCli(context).parseAsync([...args], {}, (_error, _argv, output) => {
      // --help and --version output; errors are reported below instead.
      if (output !== '') context.stdout.write(`${output}\n`);
    });
    return EXIT_CODES.OK;
  } catch (error) {
    context.stderr.write(formatError(error, { showStack: context.logLevel === 'debug' }));
    return exitCodeFor(error);
  }
}

/**
 * The process entry point: runs the command line, sets `process.exitCode` (rather than calling `process.exit`,
 * so that logs flush), and turns the first SIGINT/SIGTERM into an abort of the running command; a second one
 * exits at once with 130.
 */
export async function main(): Promise<void> {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(EXIT_CODES.INTERRUPTED);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    process.exitCode = await runCli(process.argv.slice(2), {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      env: process.env,
      cwd: process.cwd(),
      signal: controller.signal,
      logLevel: undefined,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
