import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { sessionIdsOf } from './session_lists.js';

/** refreshSessions: marks the named sessions as used now, so that they do not expire. */
export const refreshSessions: CommandDefinition = {
  run(ctx: CommandContext): Document {
    ctx.server.sessions.refresh(sessionIdsOf(ctx));
    return {};
  },
};
