/**
 * `sync config check --config F [--json]`: loads and validates the configuration and prints it resolved
 * (defaults filled in, `${ENV}` substituted, credentials redacted). Exit 0 when valid, 2 otherwise.
 */
import type { CommandModule } from 'yargs';
import { stringify } from 'yaml';
import { redactConfig } from '../../config/redact_config.js';
import type { CliContext } from '../cli_context.js';
import { loadConfigFromArgs, withConfigOptions, type ConfigArgs } from '../config_options.js';

interface ConfigCheckArgs extends ConfigArgs {
  readonly json: boolean;
}

/** The `config check` command. */
export function configCheckCommand(context: CliContext): CommandModule<object, ConfigCheckArgs> {
  return {
    command: 'check',
    describe: 'Validate the configuration and print it resolved, with credentials redacted',
    builder: (yargs) =>
      withConfigOptions(yargs).option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print the resolved configuration as JSON',
      }),
    handler: async (argv) => {
      const config = redactConfig(await loadConfigFromArgs(argv, context));
      if (argv.json) {
        context.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
      } else {
        context.stdout.write(`# ${argv.config} is valid. Resolved configuration (credentials redacted):\n`);
        context.stdout.write(stringify(config));
      }
    },
  };
}
