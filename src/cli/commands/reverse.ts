/**
 * `sync reverse --config F`: after a commit of a reversible migration, sync from the destination back to the source,
 * starting exactly at the commit point.
 */
import { controlCommand } from './control_command.js';

export const reverseCommand = controlCommand('reverse', 'After commit, sync from the destination back to the source (reversible migrations)');
