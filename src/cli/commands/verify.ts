/**
 * `sync verify --config F [--json] [--committed | --no-committed]`: compares the source and the destination
 * namespace by namespace (kind, options, indexes, document counts, a hash of the documents' exact bytes) and
 * prints the report. Exit 0 when everything is equal, 1 when something differs (VERIFY-4001), 2 for a bad
 * configuration, 3 when a cluster cannot be reached.
 */
import type { CommandModule } from 'yargs';
import { ERROR_CODES, VerifyError } from '../../errors.js';
import { closeLogger } from '../../log/logger.js';
import { verifyMigration } from '../../verify/verify_migration.js';
import { differingNamespaces, formatVerifyReport, reportToJson } from '../../verify/verify_report.js';
import type { CliContext } from '../cli_context.js';
import { commandLogger } from '../command_logger.js';
import { loadConfigFromArgs, withConfigOptions, type ConfigArgs } from '../config_options.js';

interface VerifyArgs extends ConfigArgs {
  readonly json: boolean;
  readonly committed: boolean | undefined;
}

/** The `verify` command. */
export function verifyCommand(context: CliContext): CommandModule<object, VerifyArgs> {
  return {
    command: 'verify',
    describe: 'Compare the source and the destination: namespaces, options, indexes, document counts and bytes',
    builder: (yargs) =>
      withConfigOptions(yargs)
        .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON' })
        .option('committed', {
          type: 'boolean',
          describe:
            'Compare indexes and options with the original definitions (--committed) or with their sync-time form ' +
            '(--no-committed). Unset: from the migration state (original once COMMITTED, or when the destination ' +
            'holds no migration).',
        }),
    handler: async (argv) => {
      const config = await loadConfigFromArgs(argv, context);
      const logger = commandLogger(config, context);
      try {
        const report = await verifyMigration({ config, committed: argv.committed, logger, signal: context.signal });
        context.stdout.write(argv.json ? `${JSON.stringify(reportToJson(report), null, 2)}\n` : formatVerifyReport(report));
        const differing = differingNamespaces(report);
        if (differing.length > 0) {
          throw new VerifyError(
            ERROR_CODES.VERIFY_DIFFERENCES_FOUND,
            `${differing.length} of ${report.namespaces.length} namespaces differ between the source and the destination: ` +
              `${listNames(differing.map((verification) => verification.ns))}.`,
            { details: { namespaces: differing.map((verification) => verification.ns) } },
          );
        }
      } finally {
        await closeLogger(logger);
      }
    },
  };
}

/** Names shown in the error message; the report lists every one. */
const MAX_NAMES_IN_MESSAGE = 5;

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMES_IN_MESSAGE).join(', ');
  return names.length > MAX_NAMES_IN_MESSAGE ? `${shown} and ${names.length - MAX_NAMES_IN_MESSAGE} more` : shown;
}
