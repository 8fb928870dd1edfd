/**
 * `sync start --config F [--once]`: checks both clusters, copies the catalog and the documents into the
 * destination, then applies the source's changes: with `--once` until caught up with the moment the change
 * application started (then exits 0: how cron runs incremental syncs), otherwise until interrupted. Rerunning it
 * resumes from the last checkpoint.
 */
import type { CommandModule } from 'yargs';
import { closeLogger } from '../../log/logger.js';
import { startSync } from '../../lifecycle/start_sync.js';
import type { CliContext } from '../cli_context.js';
import { commandLogger } from '../command_logger.js';
import { createProgressDisplay } from '../progress_display.js';
import { loadConfigFromArgs, withConfigOptions, type ConfigArgs } from '../config_options.js';

interface StartArgs extends ConfigArgs {
  readonly once: boolean;
  readonly json: boolean;
}

export function startCommand(context: CliContext): CommandModule<object, StartArgs> {
  return {
    command: 'start',
    describe: 'Copy the source into the destination and keep applying its changes (resumes from the last checkpoint)',
    builder: (yargs) =>
      withConfigOptions(yargs)
        .option('once', { type: 'boolean', default: false, describe: 'Exit 0 once the copy is complete and the changes made until now are applied' })
        .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' }),
    handler: async (argv) => {
      const config = await loadConfigFromArgs(argv, context);
      const logger = commandLogger(config, context);
      const progress = createProgressDisplay(context.stderr, logger);
      try {
        const result = await startSync({ config, logger, signal: context.signal, onProgress: progress.listener, once: argv.once });
        progress.stop();
        if ('alreadyRunning' in result) {
          // Not an error: a cron job that overlaps a running one has nothing to do.
          const where = result.holder ? `${result.holder.host} (pid ${result.holder.pid})` : 'another process';
          context.stdout.write(argv.json ? `${JSON.stringify({ alreadyRunning: true, holder: result.holder })}\n` : `Migration "${config.id}" is already running on ${where}.\n`);
          return;
        }
        const { initial, changes } = result;
        const summary = {
          migrationId: initial.migration._id,
          phase: initial.migration.phase,
          resumed: initial.resumed,
          namespaces: initial.namespaces,
          partitionsCopied: initial.copy.partitions,
          documentsCopied: initial.copy.docs,
          bytesCopied: initial.copy.bytes,
          eventsApplied: changes.eventsApplied,
          caughtUpTo: changes.caughtUpTo ? { t: changes.caughtUpTo.high, i: changes.caughtUpTo.low } : null,
        };
        context.stdout.write(
          argv.json
            ? `${JSON.stringify(summary)}\n`
            : `Copy complete for migration "${summary.migrationId}"${summary.resumed ? ' (resumed)' : ''}: ` +
                `${summary.namespaces} namespaces, ${summary.documentsCopied} documents ` +
                `(${summary.bytesCopied} bytes) copied in this run; ${summary.eventsApplied} change events applied` +
                `${summary.caughtUpTo ? `, caught up to the source's time at the start of the change application` : ''}.\n`,
        );
      } finally {
        progress.stop();
        await closeLogger(logger);
      }
    },
  };
}
