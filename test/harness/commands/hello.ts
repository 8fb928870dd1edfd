import { Int32, Long, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { MAX_BSON_OBJECT_SIZE, MAX_MESSAGE_SIZE_BYTES, MAX_WRITE_BATCH_SIZE } from '../wire/constants.js';
import { TERM } from '../engine/oplog.js';
import { speculativeSaslStart, supportedMechanisms } from '../auth/sasl_session.js';

/** maxWireVersion of mongod 7.0. */
export const MAX_WIRE_VERSION = 21;

/**
 * hello / isMaster: the member describes itself as the writable primary of a one-member replica set. The legacy
 * isMaster spelling answers `ismaster` instead of `isWritablePrimary`, as mongod does.
 */
export const hello: CommandDefinition = {
  requiresAuth: false,
  run(ctx: CommandContext): Document {
    const { server } = ctx;
    if (ctx.body.client && !ctx.conn.clientMetadata) ctx.conn.clientMetadata = ctx.body.client;
    const last = server.clock.current();
    const lastWriteDate = new Date(last.high * 1000);
    const legacy = ctx.commandName !== 'hello';
    // A standalone mongod leaves out every replica set field (setName, hosts, primary, me, electionId, lastWrite).
    const member: Document = server.options.standalone
      ? {}
      : {
          hosts: [server.me],
          setName: server.options.replSetName,
          setVersion: new Int32(1),
        };
    const memberState: Document = server.options.standalone
      ? {}
      : {
          secondary: false,
          primary: server.me,
          me: server.me,
          electionId: server.processId,
          lastWrite: {
            opTime: { ts: last, t: TERM },
            lastWriteDate,
            majorityOpTime: { ts: last, t: TERM },
            majorityWriteDate: lastWriteDate,
          },
        };
    const reply: Document = {
      topologyVersion: { processId: server.processId, counter: Long.fromNumber(0) },
      ...member,
      ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
      ...memberState,
      maxBsonObjectSize: new Int32(MAX_BSON_OBJECT_SIZE),
      maxMessageSizeBytes: new Int32(MAX_MESSAGE_SIZE_BYTES),
      maxWriteBatchSize: new Int32(MAX_WRITE_BATCH_SIZE),
      localTime: new Date(),
      logicalSessionTimeoutMinutes: new Int32(30),
      connectionId: new Int32(ctx.conn.connectionId),
      minWireVersion: new Int32(0),
      maxWireVersion: new Int32(MAX_WIRE_VERSION),
      readOnly: false,
    };
    // mongod answers both whether or not auth is enforced, and leaves each out when the user is unknown.
    const mechanisms = supportedMechanisms(server, ctx.body.saslSupportedMechs);
    if (mechanisms) reply.saslSupportedMechs = mechanisms;
    const speculative = speculativeSaslStart(server, ctx.conn, ctx.body.speculativeAuthenticate);
    if (speculative) reply.speculativeAuthenticate = speculative;
    return reply;
  },
};
