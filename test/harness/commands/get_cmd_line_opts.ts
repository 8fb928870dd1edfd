import { Int32, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { assertAdminDb } from './admin_only.js';

/**
 * getCmdLineOpts (admin): the options the server runs with, in mongod's `argv` and `parsed` forms (a replica set
 * member with in-memory storage; `security.authorization` when users are configured).
 */
export const getCmdLineOpts: CommandDefinition = {
  run(ctx: CommandContext): Document {
    assertAdminDb(ctx);
    const { options } = ctx.server;
    const port = Number(ctx.server.me.split(':').pop());
    const argv = ['mongod', '--replSet', options.replSetName, '--bind_ip', options.host, '--port', String(port)];
    const parsed: Document = {
      net: { bindIp: options.host, port: new Int32(port) },
      replication: { replSet: options.replSetName, oplogSizeMB: new Int32(Math.max(1, Math.round(options.oplogSizeBytes / 1048576))) },
    };
    if (ctx.server.authEnabled) {
      argv.push('--auth');
      parsed.security = { authorization: 'enabled' };
    }
    return { argv, parsed };
  },
};
