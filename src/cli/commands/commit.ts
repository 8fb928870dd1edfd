/**
 * `sync commit --config F [--no-wait]`: the cut-over. Blocks the source's writes (sourceAndDestination), applies the
 * last changes, restores the original indexes and options on the destination and opens it for writes. Carried out
 * by the running `sync start` process, or by this command when none runs.
 */
import { controlCommand } from './control_command.js';

export const commitCommand = controlCommand(
  'commit',
  'Cut over: stop source writes, apply the last changes, restore the original indexes, open the destination for writes',
);
