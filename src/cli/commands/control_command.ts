/**
 * The shape shared by `sync pause|resume|commit|reverse --config F [--no-wait] [--json]`: each files one control
 * request (lifecycle/request_control.ts) and prints what became of the migration.
 */
import type { CommandModule } from 'yargs';
import { closeLogger } from '../../log/logger.js';
import { requestControl, type ControlOutcome, type ControlRequestOptions } from '../../lifecycle/request_control.js';
import type { CliContext } from '../cli_context.js';
import { commandLogger } from '../command_logger.js';
import { loadConfigFromArgs, withConfigOptions, type ConfigArgs } from '../config_options.js';

/** The flags of a control command. */
export interface ControlArgs extends ConfigArgs {
  readonly wait: boolean;
  readonly json: boolean;
}

/** What the command prints about the outcome, as JSON. */
export function outcomeSummary(outcome: ControlOutcome): Record<string, unknown> {
  const { migration, commit } = outcome;
  return {
    migrationId: migration._id,
    state: migration.state,
    direction: migration.direction ?? 'forward',
    carriedOutBy: outcome.by,
    ...(commit ? { restoreCommands: commit.restoreCommands, eventsApplied: commit.eventsApplied } : {}),
  };
}

/** The human line about the outcome. */
function describeOutcome(action: ControlRequestOptions['action'], outcome: ControlOutcome, waited: boolean): string {
  const { migration } = outcome;
  const who = outcome.by === 'runningProcess' ? 'the running `sync start` process' : 'this command';
  const lead = outcome.by === 'runningProcess' && !waited
    ? `The ${action} request was accepted by ${who}; the migration is ${migration.state}.`
    : `Migration "${migration._id}" is ${migration.state} (the ${action} was carried out by ${who}).`;
  const next: Record<string, string> = {
    COMMITTED: ' Applications may now write to the destination; `sync verify` compares both sides.',
    PAUSED: ' `sync resume` continues from the checkpoint.',
  };
  const reversed = action === 'reverse' && outcome.by === 'thisCommand'
    ? ' Changes now flow the other way: run `sync start` (or keep its cron job) to apply them.'
    : '';
  return `${lead}${next[migration.state] ?? ''}${reversed}`;
}

/** Builds the command module of one control action. */
export function controlCommand(
  action: ControlRequestOptions['action'],
  describe: string,
): (context: CliContext) => CommandModule<object, ControlArgs> {
  return (context) => ({
    command: action,
    describe,
    builder: (yargs) =>
      withConfigOptions(yargs)
        .option('wait', {
          type: 'boolean', default: true,
          describe: '--no-wait: return once the running process has accepted the request instead of waiting for its outcome',
        })
        .option('json', { type: 'boolean', default: false, describe: 'Print the outcome as JSON' }),
    handler: async (argv) => {
      const config = await loadConfigFromArgs(argv, context);
      const logger = commandLogger(config, context);
      try {
        const outcome = await requestControl({ config, logger, action, wait: argv.wait, signal: context.signal });
        context.stdout.write(argv.json ? `${JSON.stringify(outcomeSummary(outcome))}\n` : `${describeOutcome(action, outcome, argv.wait)}\n`);
      } finally {
        await closeLogger(logger);
      }
    },
  });
}
