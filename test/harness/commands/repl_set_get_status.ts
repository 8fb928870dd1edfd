import { Double, Int32, Long, type Document, type Timestamp } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { TERM } from '../engine/oplog.js';

/** The election that made this member primary: at server start, by timeout, as a lone member's is. */
function electionMetrics(ctx: CommandContext, startOpTime: Document): Document {
  const started = ctx.server.startedAt;
  return {
    lastElectionReason: 'electionTimeout',
    lastElectionDate: started,
    electionTerm: TERM,
    lastCommittedOpTimeAtElection: startOpTime,
    lastSeenOpTimeAtElection: startOpTime,
    numVotesNeeded: new Int32(1),
    priorityAtElection: new Double(1),
    electionTimeoutMillis: Long.fromNumber(10_000),
    newTermStartDate: started,
    wMajorityWriteAvailabilityDate: started,
  };
}

/**
 * replSetGetStatus (admin only): this server is the PRIMARY and only member of its set, so every optime (applied,
 * durable, majority-committed) is its last oplog entry. Shape and types of mongod 7.0.
 */
export const replSetGetStatus: CommandDefinition = {
  run(ctx: CommandContext): Document {
    if (ctx.db !== 'admin') {
      throw new CommandError('Unauthorized', `${ctx.commandName} may only be run against the admin database.`);
    }
    const { server } = ctx;
    const last = server.oplog.last();
    const ts = (last?.field('ts') as Timestamp | undefined) ?? server.clock.current();
    const wall = (last?.field('wall') as Date | undefined) ?? new Date(ts.high * 1000);
    const opTime = { ts, t: TERM };
    const first = server.oplog.first();
    const startOpTime = { ts: (first?.field('ts') as Timestamp | undefined) ?? ts, t: TERM };
    const uptimeSeconds = Math.floor((Date.now() - server.startedAt.getTime()) / 1000);
    return {
      set: server.options.replSetName,
      date: new Date(),
      myState: new Int32(1),
      term: TERM,
      syncSourceHost: '',
      syncSourceId: new Int32(-1),
      heartbeatIntervalMillis: Long.fromNumber(2000),
      majorityVoteCount: new Int32(1),
      writeMajorityCount: new Int32(1),
      votingMembersCount: new Int32(1),
      writableVotingMembersCount: new Int32(1),
      optimes: {
        lastCommittedOpTime: opTime,
        lastCommittedWallTime: wall,
        readConcernMajorityOpTime: opTime,
        appliedOpTime: opTime,
        durableOpTime: opTime,
        lastAppliedWallTime: wall,
        lastDurableWallTime: wall,
      },
      lastStableRecoveryTimestamp: ts,
      electionCandidateMetrics: electionMetrics(ctx, startOpTime),
      members: [{
        _id: new Int32(0),
        name: server.me,
        health: new Double(1),
        state: new Int32(1),
        stateStr: 'PRIMARY',
        uptime: new Int32(uptimeSeconds),
        optime: opTime,
        optimeDate: new Date(ts.high * 1000),
        lastAppliedWallTime: wall,
        lastDurableWallTime: wall,
        syncSourceHost: '',
        syncSourceId: new Int32(-1),
        infoMessage: '',
        electionTime: startOpTime.ts,
        electionDate: server.startedAt,
        configVersion: new Int32(1),
        configTerm: new Int32(1),
        self: true,
        lastHeartbeatMessage: '',
      }],
    };
  },
};
