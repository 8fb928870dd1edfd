import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { assertAdminDb } from './admin_only.js';

/**
 * getDefaultRWConcern (admin): mongod 7.0's implicit defaults of a replica set without arbiters: read concern
 * `local`, write concern `{w: 'majority', wtimeout: 0}`.
 */
export const getDefaultRWConcern: CommandDefinition = {
  run(ctx: CommandContext): Document {
    assertAdminDb(ctx);
    return {
      defaultReadConcern: { level: 'local' },
      defaultWriteConcern: { w: 'majority', wtimeout: 0 },
      defaultWriteConcernSource: 'implicit',
      defaultReadConcernSource: 'implicit',
      localUpdateWallClockTime: ctx.server.startedAt,
    };
  },
};
