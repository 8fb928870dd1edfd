import os from 'node:os';
import { Int32, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { assertAdminDb } from './admin_only.js';

/** hostInfo (admin): the machine the server runs on, in mongod's `system`, `os` and `extra` sections. */
export const hostInfo: CommandDefinition = {
  run(ctx: CommandContext): Document {
    assertAdminDb(ctx);
    const memSizeMB = Math.round(os.totalmem() / 1048576);
    return {
      system: {
        currentTime: new Date(),
        hostname: ctx.server.me,
        cpuAddrSize: new Int32(64),
        memSizeMB: new Int32(memSizeMB),
        memLimitMB: new Int32(memSizeMB),
        numCores: new Int32(os.cpus().length),
        numPhysicalCores: new Int32(os.cpus().length),
        numCpuSockets: new Int32(1),
        cpuArch: os.arch() === 'x64' ? 'x86_64' : os.arch(),
        numaEnabled: false,
        numNumaNodes: new Int32(1),
      },
      os: { type: os.type(), name: os.type(), version: os.release() },
      extra: { versionString: `${os.type()} ${os.release()}`, kernelVersion: os.release(), pageSize: new Int32(4096) },
    };
  },
};
