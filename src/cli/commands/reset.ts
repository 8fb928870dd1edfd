/**
 * `sync reset --config F [--drop-destination-data] [--yes] [--json]`: forgets a migration (its state in the
 * destination's internal database, and the user write blocks it set); with `--drop-destination-data`, also drops
 * the namespaces it created on the destination. Asks the operator to type the migration id first, unless `--yes`;
 * without a terminal to ask on, it refuses rather than wait for an answer that cannot come.
 */
import { createInterface } from 'node:readline';
import type { CommandModule } from 'yargs';
import { InterruptedError, UsageError } from '../../errors.js';
import { closeLogger } from '../../log/logger.js';
import { resetMigration, type ResetPlan, type ResetResult } from '../../lifecycle/reset_migration.js';
import type { CliContext } from '../cli_context.js';
import { commandLogger } from '../command_logger.js';
import { loadConfigFromArgs, withConfigOptions, type ConfigArgs } from '../config_options.js';

interface ResetArgs extends ConfigArgs {
  readonly 'drop-destination-data': boolean;
  readonly yes: boolean;
  readonly json: boolean;
}

function counts(documents: Readonly<Record<string, number>>): string {
  return Object.entries(documents).map(([coll, n]) => `${coll} ${n}`).join(', ');
}

/** What the operator is asked to confirm. */
export function formatResetPlan(plan: ResetPlan): string {
  const where = plan.destinationIdentity === '' ? 'the destination' : `the destination ${plan.destinationIdentity}`;
  const lines = [
    plan.state === null
      ? `Migration "${plan.migrationId}" has no migration document on ${where}, but some of its state remains; resetting it will:`
      : `Resetting migration "${plan.migrationId}" (state ${plan.state}) on ${where} will:`,
    `  - delete its state from __c2c_sync_internal: ${counts(plan.documents)}`,
  ];
  if (plan.writeBlocksToLift.length > 0) lines.push(`  - lift the user write block on the ${plan.writeBlocksToLift.join(' and the ')}`);
  if (plan.namespacesToDrop.length > 0) {
    lines.push(`  - DROP ${plan.namespacesToDrop.length} namespace(s) on the destination: ${plan.namespacesToDrop.join(', ')}`);
  }
  if (plan.namespacesKept.length > 0) {
    lines.push(
      `  - keep the ${plan.namespacesKept.length} namespace(s) it created on the destination (${plan.namespacesKept.join(', ')}); ` +
        'after the reset the tool no longer knows it created them (use --drop-destination-data to drop them now)',
    );
  }
  lines.push('This cannot be undone.');
  return `${lines.join('\n')}\n`;
}

/** The human summary of a reset. */
export function formatResetResult(result: ResetResult): string {
  const lines = [`Migration "${result.migrationId}" reset${result.previousState ? ` (it was ${result.previousState})` : ''}.`];
  lines.push(`  removed from __c2c_sync_internal: ${counts(result.removed)}`);
  lines.push(result.droppedNamespaces.length > 0
    ? `  dropped on the destination: ${result.droppedNamespaces.join(', ')}`
    : '  dropped on the destination: nothing');
  if (result.liftedWriteBlocks.length > 0) lines.push(`  user write block lifted on the ${result.liftedWriteBlocks.join(' and the ')}`);
  for (const warning of result.warnings) lines.push(`  warning: ${warning}`);
  lines.push(result.remainingUserDatabases.length > 0
    ? `The destination still holds user databases (${result.remainingUserDatabases.join(', ')}): \`sync start\` will refuse it as not ` +
      'empty (PREFLIGHT-2005) until they are dropped.'
    : 'The destination holds no user data: `sync start` with this configuration starts the migration from scratch.');
  return `${lines.join('\n')}\n`;
}

/** One line typed by the operator; undefined at end of input (Ctrl-D). */
async function readAnswer(input: NodeJS.ReadableStream, signal: AbortSignal): Promise<string | undefined> {
  const lines = createInterface({ input, terminal: false });
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<string | undefined>((resolve, reject) => {
      lines.once('line', resolve);
      lines.once('close', () => resolve(undefined));
      onAbort = () => reject(new InterruptedError('Interrupted at the confirmation; nothing was changed.', { hint: 'Run `sync reset` again to reset the migration.' }));
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
    });
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    lines.close();
  }
}

export function resetCommand(context: CliContext): CommandModule<object, ResetArgs> {
  return {
    command: 'reset',
    describe: "Forget a migration: delete its state on the destination (and, if asked, the destination's data it created)",
    builder: (yargs) =>
      withConfigOptions(yargs)
        .option('drop-destination-data', {
          type: 'boolean',
          default: false,
          describe: 'Also drop the collections and views this migration created on the destination (refused once committed)',
        })
        .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation (scripts)' })
        .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' }),
    handler: async (argv) => {
      const stdin = context.stdin;
      if (!argv.yes && stdin?.isTTY !== true) {
        throw new UsageError('`sync reset` asks for confirmation on a terminal, and standard input is not one; nothing was changed.', {
          hint: 'Run it from a terminal, or pass --yes to reset without confirmation.',
        });
      }
      const config = await loadConfigFromArgs(argv, context);
      const logger = commandLogger(config, context);
      try {
        const outcome = await resetMigration({
          config,
          logger,
          signal: context.signal,
          dropDestinationData: argv['drop-destination-data'],
          confirm: async (plan) => {
            if (argv.yes) return true;
            context.stderr.write(`${formatResetPlan(plan)}Type the migration id (${plan.migrationId}) to confirm: `);
            const answer = await readAnswer(stdin!, context.signal);
            return answer?.trim() === plan.migrationId;
          },
        });
        if (outcome.cancelled) {
          throw new UsageError(`Reset of migration "${config.id}" cancelled: the answer was not the migration id; nothing was changed.`, {
            hint: `Type ${config.id} exactly to confirm, or pass --yes.`,
          });
        }
        context.stdout.write(argv.json ? `${JSON.stringify(outcome)}\n` : formatResetResult(outcome));
      } finally {
        await closeLogger(logger);
      }
    },
  };
}
