/**
 * The top-level commands, in the order `--help` lists them. Adding a command: write `commands/<name>.ts`
 * exporting a `(context) => CommandModule` factory, and add one line here.
 */
import type { CommandModule } from 'yargs';
import type { CliContext } from '../cli_context.js';
import { commitCommand } from './commit.js';
import { configCommand } from './config.js';
import { pauseCommand } from './pause.js';
import { resetCommand } from './reset.js';
import { resumeCommand } from './resume.js';
import { reverseCommand } from './reverse.js';
import { startCommand } from './start.js';
import { statusCommand } from './status.js';
import { verifyCommand } from './verify.js';

/** Builds one command module for a context. */
export type CommandFactory = (context: CliContext) => CommandModule<object, never>;

/** Every top-level command. */
export const COMMANDS: readonly CommandFactory[] = Object.freeze([
  startCommand as CommandFactory,
  statusCommand as CommandFactory,
  pauseCommand as CommandFactory,
  resumeCommand as CommandFactory,
  commitCommand as CommandFactory,
  reverseCommand as CommandFactory,
  verifyCommand as CommandFactory,
  resetCommand as CommandFactory,
  configCommand as CommandFactory,
]);
