/**
 * The flags of every command that reads sync.yaml (`--config` and the overriding flags derived from the schema),
 * and the one way such a command loads its configuration.
 */
import type { Argv } from 'yargs';
import { configFlagOptions, overridesFromArgv } from '../config/config_flags.js';
import { loadConfig } from '../config/load_config.js';
import type { SyncConfig } from '../config/schema.js';
import type { CliContext } from './cli_context.js';

/** The parsed flags every configuration-reading command has. */
export interface ConfigArgs {
  readonly config: string;
}

/** Adds `--config` and the configuration override flags to a command's builder. */
export function withConfigOptions<T>(yargs: Argv<T>): Argv<T & ConfigArgs> {
  return yargs
    .option('config', {
      alias: 'c',
      type: 'string',
      describe: 'Path of the configuration file (sync.yaml).',
      demandOption: true,
      requiresArg: true,
    })
    .options(configFlagOptions() as Record<string, { type: 'string' }>) as unknown as Argv<T & ConfigArgs>;
}

/** Loads the configuration named by the parsed flags, and records its log level in the context. */
export async function loadConfigFromArgs(
  argv: Readonly<ConfigArgs & Record<string, unknown>>,
  context: CliContext,
): Promise<SyncConfig> {
  const config = await loadConfig({
    path: argv.config,
    env: context.env,
    argvOverrides: overridesFromArgv(argv),
    cwd: context.cwd,
  });
  context.logLevel = config.logging.level;
  return config;
}
