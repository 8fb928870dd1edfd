/** `sync resume --config F`: continue a PAUSED migration from its checkpoint. */
import { controlCommand } from './control_command.js';

export const resumeCommand = controlCommand('resume', 'Resume a PAUSED migration from its checkpoint');
