/**
 * `sync start --config F [--once]`: checks both clusters, copies the catalog and the documents into the
 * destination, then applies the source's changes: with `--once` until caught up with the moment the change
 * application started (then exits 0: how cron runs incremental syncs), otherwise until interrupted. Rerunning it
 * resumes from the last checkpoint.
 */
import type { CommandModule } from 'yargs';
import { closeLogger } from '../../log/logger.js';
import { startSync } from '../../lifecycle/start_sync.js';
import { serveMigrationApi } from '../../api/serve_migration.js';
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
        const result = await startSync({
          config, logger, signal: context.signal, onProgress: progress.listener, once: argv.once,
          onDriving: (driving) => serveMigrationApi(config, logger, driving),
        });
        progress.stop();
        if ('alreadyRunning' in result) {
          // Not an error: a cron job that overlaps a running one has nothing to do.
          const where = result.holder ? `${result.holder.host} (pid ${result.holder.pid})` : 'another process';
          context.stdout.write(argv.json ? `${JSON.stringify({ alreadyRunning: true, holder: result.holder })}\n` : `Migration "${config.id}" is already running on ${where}.\n`);
          return;
        }
        const { initial, changes, migration } = result;
        const summary = {
          migrationId: migration._id,
          state: migration.state,
          phase: migration.phase,
          direction: migration.direction ?? 'forward',
          resumed: initial?.resumed ?? true,
          namespaces: initial?.namespaces ?? 0,
          partitionsCopied: initial?.copy.partitions ?? 0,
          documentsCopied: initial?.copy.docs ?? 0,
          bytesCopied: initial?.copy.bytes ?? 0,
          eventsApplied: changes.eventsApplied,
          totalEventsApplied: changes.totalEventsApplied,
          caughtUpTo: changes.caughtUpTo ? { t: changes.caughtUpTo.high, i: changes.caughtUpTo.low } : null,
          committed: result.commit !== undefined,
        };
        context.stdout.write(argv.json ? `${JSON.stringify(summary)}\n` : `${describeRun(summary)}\n`);
      } finally {
        progress.stop();
        await closeLogger(logger);
      }
    },
  };
}

/** The one-line summary of a run. */
function describeRun(s: { migrationId: string; state: string; resumed: boolean; namespaces: number; documentsCopied: number; bytesCopied: number; eventsApplied: number; totalEventsApplied: number; caughtUpTo: unknown; committed: boolean }): string {
  const copy = s.namespaces > 0
    ? `Copy complete for migration "${s.migrationId}"${s.resumed ? ' (resumed)' : ''}: ${s.namespaces} namespaces, ` +
      `${s.documentsCopied} documents (${s.bytesCopied} bytes) copied in this run; `
    : `Migration "${s.migrationId}": `;
  const changes = `${s.eventsApplied} change events applied (${s.totalEventsApplied} since the start of the migration)${s.caughtUpTo ? ", caught up to the source's time at the start of the change application" : ''}`;
  const state = s.state === 'RUNNING' ? '' : `; the migration is ${s.state}${s.committed ? ' (committed by this run)' : ''}`;
  return `${copy}${changes}${state}.`;
}
