import { serialize, deserialize } from 'bson';
import { decodeOpMsg, encodeOpMsg, ProtocolError } from '../../../harness/wire/op_msg.js';
import { decodeOpQuery } from '../../../harness/wire/op_query.js';
import { encodeOpReply } from '../../../harness/wire/op_reply.js';
import { MessageFramer } from '../../../harness/framing.js';

/** `{ping: 1, $db: "admin"}` as OP_MSG, request id 7, flags 0: hand-assembled per the wire protocol reference. */
const PING_OP_MSG_HEX =
  '33000000' + '07000000' + '00000000' + 'dd070000' + // header: length 51, requestID 7, responseTo 0, OP_MSG
  '00000000' + '00' + // flagBits, section kind 0
  '1e000000' + '1070696e6700010000000224646200060000006164' + '6d696e0000'; // {ping: 1, $db: "admin"}

function opMsg(sections: Buffer, flags = 0, checksum = false): Buffer {
  const header = Buffer.alloc(20);
  const total = 20 + sections.length + (checksum ? 4 : 0);
  header.writeInt32LE(total, 0);
  header.writeInt32LE(1, 4);
  header.writeInt32LE(2013, 12);
  header.writeUInt32LE(flags, 16);
  return Buffer.concat([header, sections, checksum ? Buffer.alloc(4) : Buffer.alloc(0)]);
}

describe('decodeOpMsg', () => {
  it('decodes the kind-0 body of a hand-assembled message', () => {
    const msg = decodeOpMsg(Buffer.from(PING_OP_MSG_HEX, 'hex'));
    expect(msg.requestId).toBe(7);
    expect(deserialize(msg.body)).toEqual({ ping: 1, $db: 'admin' });
    expect(msg.sequences.size).toBe(0);
  });

  it('decodes kind-1 document sequences keeping each document as exact bytes', () => {
    const body = Buffer.from(serialize({ insert: 'c', $db: 'd' }));
    const docs = [Buffer.from(serialize({ _id: 1 })), Buffer.from(serialize({ _id: 2, a: 'x' }))];
    const id = Buffer.from('documents\0');
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + id.length + docs[0].length + docs[1].length);
    const msg = decodeOpMsg(opMsg(Buffer.concat([Buffer.from([0]), body, Buffer.from([1]), size, id, ...docs])));
    const seq = msg.sequences.get('documents')!;
    expect(seq.map((d) => d.bytes.toString('hex'))).toEqual(docs.map((d) => d.toString('hex')));
  });

  it('tolerates the checksum flag', () => {
    const body = Buffer.from(serialize({ ping: 1 }));
    const msg = decodeOpMsg(opMsg(Buffer.concat([Buffer.from([0]), body]), 1, true));
    expect(deserialize(msg.body)).toEqual({ ping: 1 });
  });

  it.each([
    ['an unknown section kind', Buffer.concat([Buffer.from([5]), Buffer.from(serialize({ a: 1 }))])],
    ['a body that overruns the message', Buffer.from([0, 0xff, 0, 0, 0, 0])],
    ['no body section', Buffer.alloc(0)],
    ['two body sections', Buffer.concat([Buffer.from([0]), Buffer.from(serialize({ a: 1 })), Buffer.from([0]), Buffer.from(serialize({ b: 1 }))])],
  ])('rejects %s', (_name, sections) => {
    expect(() => decodeOpMsg(opMsg(sections))).toThrow(ProtocolError);
  });

  it('rejects unknown required flag bits', () => {
    expect(() => decodeOpMsg(opMsg(Buffer.concat([Buffer.from([0]), Buffer.from(serialize({ a: 1 }))]), 1 << 4))).toThrow(ProtocolError);
  });
});

describe('encodeOpMsg', () => {
  it('round-trips through decodeOpMsg', () => {
    const body = Buffer.from(serialize({ ok: 1 }));
    const decoded = decodeOpMsg(encodeOpMsg(9, 7, body));
    expect(decoded.requestId).toBe(9);
    expect(decoded.body.toString('hex')).toBe(body.toString('hex'));
  });
});

describe('OP_QUERY / OP_REPLY', () => {
  it('decodes a legacy isMaster query and encodes a one-document reply', () => {
    const query = Buffer.from(serialize({ isMaster: 1 }));
    const name = Buffer.from('admin.$cmd\0');
    const msg = Buffer.alloc(16 + 4 + name.length + 8 + query.length);
    msg.writeInt32LE(msg.length, 0);
    msg.writeInt32LE(3, 4);
    msg.writeInt32LE(2004, 12);
    name.copy(msg, 20);
    msg.writeInt32LE(-1, 20 + name.length + 4);
    query.copy(msg, 20 + name.length + 8);
    const q = decodeOpQuery(msg);
    expect(q.fullCollectionName).toBe('admin.$cmd');
    expect(q.numberToReturn).toBe(-1);
    expect(deserialize(q.query)).toEqual({ isMaster: 1 });
    const reply = encodeOpReply(4, 3, Buffer.from(serialize({ ok: 1 })));
    expect(reply.readInt32LE(0)).toBe(reply.length);
    expect(reply.readInt32LE(8)).toBe(3);
    expect(reply.readInt32LE(12)).toBe(1);
    expect(reply.readInt32LE(32)).toBe(1);
    expect(deserialize(reply.subarray(36))).toEqual({ ok: 1 });
  });
});

describe('MessageFramer', () => {
  const message = Buffer.from(PING_OP_MSG_HEX, 'hex');

  it('reassembles a message split into single bytes', () => {
    const framer = new MessageFramer();
    const out: Buffer[] = [];
    for (const byte of message) out.push(...framer.push(Buffer.from([byte])));
    expect(out).toHaveLength(1);
    expect(out[0].toString('hex')).toBe(message.toString('hex'));
  });

  it('splits two messages delivered in one chunk', () => {
    const framer = new MessageFramer();
    expect(framer.push(Buffer.concat([message, message]))).toHaveLength(2);
  });

  it.each([[-1], [3], [49_000_000]])('rejects a message length of %d', (length) => {
    const bad = Buffer.alloc(16);
    bad.writeInt32LE(length, 0);
    expect(() => new MessageFramer().push(bad)).toThrow(ProtocolError);
  });
});
