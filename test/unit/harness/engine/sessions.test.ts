import { Binary, Int32, Long, UUID } from 'bson';
import { SessionCatalog, makeLogicalSessionId, txnNumberOf, userDigest } from '../../../harness/engine/sessions.js';
import { Transaction } from '../../../harness/engine/transactions.js';
import { parseSessionOptions } from '../../../harness/engine/command_session.js';

const hex = (b: Binary) => Buffer.from(b.buffer).toString('hex');

describe('userDigest', () => {
  it('is SHA-256 of the empty string without auth and of user@db with auth', () => {
    expect(hex(userDigest(undefined))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(userDigest({ user: 'u', db: 'admin' }))).not.toBe(hex(userDigest(undefined)));
  });
});

describe('makeLogicalSessionId', () => {
  const uid = userDigest(undefined);

  it('adds the uid to the client id', () => {
    const id = new UUID().toBinary();
    expect(makeLogicalSessionId({ id }, uid)).toEqual({ id, uid });
  });

  it.each([[{}, 40414], [{ id: 'x' }, 207], [{ id: new Binary(Buffer.alloc(16), 0) }, 207], ['x', 14]])('refuses %j', (lsid, code) => {
    expect(() => makeLogicalSessionId(lsid, uid)).toThrow(expect.objectContaining({ code }));
  });
});

describe('SessionCatalog', () => {
  const lsid = () => ({ id: new UUID().toBinary(), uid: userDigest(undefined) });

  it('expires sessions unused for the timeout and aborts their transactions', () => {
    let now = 0;
    const catalog = new SessionCatalog(() => now, 30);
    const a = catalog.checkOut(lsid());
    const txn = new Transaction(a.lsid, 1n, now);
    a.transaction = txn;
    now = 20 * 60_000;
    const b = catalog.checkOut(lsid());
    now = 31 * 60_000;
    catalog.reapExpired();
    expect(catalog.list()).toEqual([b]);
    expect(txn.state).toBe('aborted');
  });

  it('refresh keeps a session alive and end forgets it', () => {
    let now = 0;
    const catalog = new SessionCatalog(() => now, 30);
    const id = lsid();
    catalog.checkOut(id);
    now = 29 * 60_000;
    catalog.refresh([id]);
    now = 58 * 60_000;
    expect(catalog.reapExpired()).toEqual([]);
    expect(catalog.end([id])).toHaveLength(1);
    expect(catalog.size).toBe(0);
  });
});

describe('txnNumberOf', () => {
  it.each([[Long.fromNumber(5), 5n], [new Int32(3), 3n], [7, 7n]])('reads %j', (value, expected) => {
    expect(txnNumberOf(value)).toBe(expected);
  });

  it('refuses a string', () => {
    expect(() => txnNumberOf('1')).toThrow(expect.objectContaining({ code: 14 }));
  });
});

describe('parseSessionOptions (initializeOperationSessionInfo)', () => {
  const uid = userDigest(undefined);
  const id = new UUID().toBinary();

  it('reads a transaction statement', () => {
    expect(parseSessionOptions({ lsid: { id }, txnNumber: Long.fromNumber(1), autocommit: false, startTransaction: true }, uid)).toEqual({
      lsid: { id, uid }, txnNumber: 1n, autocommit: false, startTransaction: true,
    });
  });

  it.each([
    [{ txnNumber: Long.fromNumber(1) }, 'Transaction number requires a session ID to also be specified'],
    [{ lsid: { id }, txnNumber: Long.fromNumber(-1) }, 'Transaction number cannot be negative'],
    [{ lsid: { id }, txnNumber: Long.fromNumber(1), autocommit: true }, 'Specifying autocommit=true is not allowed.'],
    [{ lsid: { id }, autocommit: false }, "'autocommit' field requires a transaction number to also be specified"],
    [{ lsid: { id }, txnNumber: Long.fromNumber(1), startTransaction: true }, "'startTransaction' field requires 'autocommit' field to also be specified"],
    [{ lsid: { id }, txnNumber: Long.fromNumber(1), autocommit: false, startTransaction: false }, 'Specifying startTransaction=false is not allowed.'],
  ])('refuses %j', (body, message) => {
    expect(() => parseSessionOptions(body, uid)).toThrow(message);
  });
});
