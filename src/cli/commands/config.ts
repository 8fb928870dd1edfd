/**
 * `sync config <subcommand>`: commands about the configuration file, which need no cluster.
 */
import type { CommandModule } from 'yargs';
import type { CliContext } from '../cli_context.js';
import { configCheckCommand } from './config_check.js';

/** The `config` command group. */
export function configCommand(context: CliContext): CommandModule {
  return {
    command: 'config',
    describe: 'Work with the configuration file (no cluster is contacted)',
    builder: (yargs) => yargs.command(configCheckCommand(context)).demandCommand(1, 'Specify a config subcommand.'),
    handler: () => {
      // Unreachable: yargs runs a subcommand, or fails on demandCommand.
    },
  };
}
