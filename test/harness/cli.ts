/**
 * `npm run server -- --port 27100 [--repl-set rs0] [--user name:password:role1,role2 ...] [--oplog-size-mb N]`
 * Prints `ready <uri>` once listening; runs until SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startServer } from './server.js';
import type { UserSeed } from './server_options.js';

function parseUser(spec: string): UserSeed {
  const first = spec.indexOf(':');
  const last = spec.lastIndexOf(':');
  if (first <= 0 || last === first) {
    throw new Error(`--user must be name:password:role1,role2 (got '${spec.replace(/:.*$/, ':***')}')`);
  }
  return { user: spec.slice(0, first), password: spec.slice(first + 1, last), roles: spec.slice(last + 1).split(',').filter(Boolean) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '27017' },
      host: { type: 'string', default: '127.0.0.1' },
      'repl-set': { type: 'string', default: 'rs0' },
      user: { type: 'string', multiple: true, default: [] },
      'oplog-size-mb': { type: 'string' },
      'ttl-monitor-interval-ms': { type: 'string' },
      'noop-interval-ms': { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535 (got '${values.port}')`);
  const users = (values.user as string[]).map(parseUser);
  const server = await startServer({
    port,
    host: values.host,
    replSetName: values['repl-set'],
    users,
    oplogSizeBytes: values['oplog-size-mb'] ? Number(values['oplog-size-mb']) * 1024 * 1024 : undefined,
    ttlMonitorIntervalMs: values['ttl-monitor-interval-ms'] ? Number(values['ttl-monitor-interval-ms']) : undefined,
    noopIntervalMs: values['noop-interval-ms'] ? Number(values['noop-interval-ms']) : undefined,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  process.stdout.write(`ready ${server.uri}\n`);
  const shutdown = () => void server.stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  process.stderr.write(`server: ${error.message}\n`);
  process.exit(2);
});
