import { Int32 } from 'bson';
import type { CommandDefinition } from '../command_context.js';

/** The mongod version this server imitates. */
export const SERVER_VERSION = '7.0.14';

/** buildInfo: a 7.0.x mongod. Allowed before authentication, as on mongod. */
export const buildInfo: CommandDefinition = {
  requiresAuth: false,
  run: () => ({
    version: SERVER_VERSION,
    gitVersion: 'c2c-sync-embedded-server',
    modules: [],
    allocator: 'system',
    javascriptEngine: 'none',
    sysInfo: 'deprecated',
    versionArray: SERVER_VERSION.split('.').map((n) => new Int32(Number(n))).concat([new Int32(0)]),
    openssl: { running: 'disabled', compiled: 'disabled' },
    buildEnvironment: {},
    bits: new Int32(64),
    debug: false,
    maxBsonObjectSize: new Int32(16 * 1024 * 1024),
    storageEngines: ['inMemory'],
  }),
};
