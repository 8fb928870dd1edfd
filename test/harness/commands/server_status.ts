import os from 'node:os';
import { Double, Int32, Long, Timestamp, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { SERVER_VERSION } from './build_info.js';
import { TERM } from '../engine/oplog.js';

/** mongod's default maxIncomingConnections (net.maxIncomingConnections), from which `available` is counted. */
const MAX_INCOMING_CONNECTIONS = 838_860;

/** Sections serverStatus includes unless the command says `<section>: 0`. */
const DEFAULT_SECTIONS = [
  'asserts', 'connections', 'extra_info', 'logicalSessionRecordCache', 'mem', 'network', 'opcounters', 'opcountersRepl',
  'repl', 'storageEngine', 'transactions',
] as const;

/**
 * Counts a command in serverStatus's opcounters the way mongod does: insert per document, update and delete per
 * statement, query per find, getmore per getMore, every other command as `command`.
 */
export function countOperation(ctx: CommandContext): void {
  const c = ctx.server.stats.opcounters;
  const statements = (field: string) => ctx.sequences.get(field)?.length ?? (Array.isArray(ctx.body[field]) ? ctx.body[field].length : 0);
  switch (ctx.commandName) {
    case 'insert': c.insert += statements('documents'); break;
    case 'update': c.update += statements('updates'); break;
    case 'delete': c.delete += statements('deletes'); break;
    case 'find': c.query++; break;
    case 'getMore': c.getmore++; break;
    default: c.command++;
  }
}

/**
 * serverStatus: the sections tools read (host, version, process, pid, uptime, localTime, connections,
 * opcounters, repl, storageEngine, transactions, logicalSessionRecordCache, mem). A section is left out with
 * `{<section>: 0}`, as on mongod.
 */
export const serverStatus: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const { server } = ctx;
    const now = new Date();
    const uptimeMs = now.getTime() - server.startedAt.getTime();
    const reply: Document = {
      host: server.me,
      version: SERVER_VERSION,
      process: 'mongod',
      pid: Long.fromNumber(process.pid),
      uptime: new Double(Math.floor(uptimeMs / 1000)),
      uptimeMillis: Long.fromNumber(uptimeMs),
      uptimeEstimate: Long.fromNumber(Math.floor(uptimeMs / 1000)),
      localTime: now,
    };
    const sections: Record<(typeof DEFAULT_SECTIONS)[number], () => Document> = {
      asserts: () => ({ regular: new Int32(0), warning: new Int32(0), msg: new Int32(0), user: new Int32(0), tripwire: new Int32(0), rollovers: new Int32(0) }),
      connections: () => {
        const { current, totalCreated } = server.stats.connections;
        return {
          current: new Int32(current),
          available: new Int32(MAX_INCOMING_CONNECTIONS - current),
          totalCreated: new Int32(totalCreated),
          rejected: new Int32(0),
          active: new Int32(1),
          threaded: new Int32(current),
          exhaustIsMaster: new Int32(0),
          exhaustHello: new Int32(0),
          awaitingTopologyChanges: new Int32(0),
        };
      },
      extra_info: () => ({ note: 'fields vary by platform', user_time_us: Long.fromNumber(Math.round(process.cpuUsage().user)), system_time_us: Long.fromNumber(Math.round(process.cpuUsage().system)) }),
      logicalSessionRecordCache: () => ({ activeSessionsCount: new Int32(server.sessions.size), sessionsCollectionJobCount: new Int32(0), lastSessionsCollectionJobDurationMillis: new Int32(0), lastSessionsCollectionJobTimestamp: server.startedAt, transactionReaperJobCount: new Int32(0) }),
      mem: () => {
        const mu = process.memoryUsage();
        return { bits: new Int32(64), resident: new Int32(Math.round(mu.rss / 1048576)), virtual: new Int32(Math.round((mu.rss + mu.external) / 1048576)), supported: true };
      },
      network: () => ({ bytesIn: Long.fromNumber(0), bytesOut: Long.fromNumber(0), physicalBytesIn: Long.fromNumber(0), physicalBytesOut: Long.fromNumber(0), numRequests: Long.fromNumber(totalOps(ctx)) }),
      opcounters: () => longs(server.stats.opcounters),
      opcountersRepl: () => longs({ insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 }),
      repl: () => {
        const last = server.clock.current();
        return {
          topologyVersion: { processId: server.processId, counter: Long.fromNumber(0) },
          hosts: [server.me],
          setName: server.options.replSetName,
          setVersion: new Int32(1),
          isWritablePrimary: true,
          secondary: false,
          primary: server.me,
          me: server.me,
          electionId: server.processId,
          lastWrite: { opTime: { ts: last, t: TERM }, lastWriteDate: new Date(last.high * 1000), majorityOpTime: { ts: last, t: TERM }, majorityWriteDate: new Date(last.high * 1000) },
          rbid: new Int32(1),
          // mongod 6.0+ (ReplicationInfoServerStatus): 1 = user writes allowed, 2 = blocked by setUserWriteBlockMode.
          userWriteBlockMode: new Int32(server.userWritesBlocked ? 2 : 1),
        };
      },
      storageEngine: () => ({
        name: 'wiredTiger',
        supportsCommittedReads: true,
        oldestRequiredTimestampForCrashRecovery: new Timestamp({ t: 0, i: 0 }),
        supportsPendingDrops: true,
        dropPendingIdents: Long.fromNumber(0),
        supportsSnapshotReadConcern: true,
        readOnly: false,
        persistent: true,
        backupCursorOpen: false,
      }),
      transactions: () => {
        const t = server.stats.transactions;
        const open = server.sessions.list().filter((s) => s.transaction?.isOpen).length;
        return {
          retriedCommandsCount: Long.fromNumber(t.retriedCommands),
          retriedStatementsCount: Long.fromNumber(t.retriedCommands),
          transactionsCollectionWriteCount: Long.fromNumber(0),
          currentActive: Long.fromNumber(0),
          currentInactive: Long.fromNumber(open),
          currentOpen: Long.fromNumber(open),
          totalAborted: Long.fromNumber(t.totalAborted),
          totalCommitted: Long.fromNumber(t.totalCommitted),
          totalStarted: Long.fromNumber(t.totalStarted),
          totalPrepared: Long.fromNumber(0),
          totalPreparedThenCommitted: Long.fromNumber(0),
          totalPreparedThenAborted: Long.fromNumber(0),
          currentPrepared: Long.fromNumber(0),
        };
      },
    };
    for (const name of DEFAULT_SECTIONS) {
      const asked = ctx.body[name];
      if (asked !== undefined && !truthy(asked)) continue;
      reply[name] = sections[name]();
    }
    return reply;
  },
};

function totalOps(ctx: CommandContext): number {
  return Object.values(ctx.server.stats.opcounters).reduce((a, b) => a + b, 0);
}

function longs(counters: Record<string, number>): Document {
  return Object.fromEntries(Object.entries(counters).map(([k, v]) => [k, Long.fromNumber(v)]));
}

function truthy(v: unknown): boolean {
  if (v === false || v === null) return false;
  if (typeof v === 'number') return v !== 0;
  if (v && typeof v === 'object' && 'valueOf' in v) return Number((v as { valueOf(): unknown }).valueOf()) !== 0;
  return true;
}

/** The host name serverStatus and hostInfo report. */
export function hostName(): string {
  return os.hostname();
}
