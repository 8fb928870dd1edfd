/** `sync pause --config F`: stop the migration at a checkpoint (the running process keeps its lease and waits). */
import { controlCommand } from './control_command.js';

export const pauseCommand = controlCommand('pause', 'Pause a RUNNING migration at a checkpoint');
