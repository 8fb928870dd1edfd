import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import {
  credentialFromInput,
  decodeSaslName,
  deriveCredential,
  mongoPasswordDigest,
  parseClientFirst,
  ScramError,
  ScramServerConversation,
  scramPasswordInput,
  type ScramMechanism,
} from '../../../harness/auth/scram.js';

/**
 * The example exchanges of RFC 5802 section 5 (SCRAM-SHA-1) and RFC 7677 section 3 (SCRAM-SHA-256): user "user",
 * password "pencil" used as is (the RFCs have no MongoDB digest), fixed nonces, so every message is known.
 */
const RFC_VECTORS = [
  {
    rfc: 'RFC 5802',
    mechanism: 'SCRAM-SHA-1' as ScramMechanism,
    clientFirst: 'n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL',
    serverNonce: '3rfcNHYJY1ZVvWVs7j',
    salt: 'QSXCR+Q6sek8bf92',
    serverFirst: 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
    clientFinal: 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
    serverFinal: 'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=',
  },
  {
    rfc: 'RFC 7677',
    mechanism: 'SCRAM-SHA-256' as ScramMechanism,
    clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
    serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
    salt: 'W22ZaJ0SNY7soEsUEjb6gQ==',
    serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
  },
];

/** An independent SCRAM client (what the driver computes), to check the server against secrets it derived itself. */
function clientFinalFor(mechanism: ScramMechanism, input: string, clientFirstBare: string, serverFirst: string): { message: string; expectedServerFinal: string } {
  const hash = mechanism === 'SCRAM-SHA-1' ? 'sha1' : 'sha256';
  const attrs = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
  const salted = pbkdf2Sync(input, Buffer.from(attrs.s!, 'base64'), Number(attrs.i), hash === 'sha1' ? 20 : 32, hash);
  const clientKey = createHmac(hash, salted).update('Client Key').digest();
  const storedKey = createHash(hash).update(clientKey).digest();
  const withoutProof = `c=biws,r=${attrs.r}`;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = createHmac(hash, storedKey).update(authMessage).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
  const serverKey = createHmac(hash, salted).update('Server Key').digest();
  return {
    message: `${withoutProof},p=${proof.toString('base64')}`,
    expectedServerFinal: `v=${createHmac(hash, serverKey).update(authMessage).digest('base64')}`,
  };
}

describe('ScramServerConversation', () => {
  it.each(RFC_VECTORS)('reproduces the $rfc example exchange', (v) => {
    const credential = credentialFromInput(v.mechanism, 'pencil', Buffer.from(v.salt, 'base64'), 4096);
    const conversation = new ScramServerConversation(v.mechanism, credential, v.serverNonce);
    expect(conversation.first(parseClientFirst(v.clientFirst))).toBe(v.serverFirst);
    expect(conversation.final(v.clientFinal)).toBe(v.serverFinal);
  });

  it.each(RFC_VECTORS)('refuses a wrong proof in the $rfc exchange', (v) => {
    const credential = credentialFromInput(v.mechanism, 'pencil', Buffer.from(v.salt, 'base64'), 4096);
    const conversation = new ScramServerConversation(v.mechanism, credential, v.serverNonce);
    conversation.first(parseClientFirst(v.clientFirst));
    const tampered = v.clientFinal.replace(/p=./, (m) => (m.endsWith('A') ? 'p=B' : 'p=A'));
    expect(() => conversation.final(tampered)).toThrow(ScramError);
  });

  it.each(RFC_VECTORS)('refuses a client-final with another nonce in the $rfc exchange', (v) => {
    const credential = credentialFromInput(v.mechanism, 'pencil', Buffer.from(v.salt, 'base64'), 4096);
    const conversation = new ScramServerConversation(v.mechanism, credential, 'otherServerNonce');
    conversation.first(parseClientFirst(v.clientFirst));
    expect(() => conversation.final(v.clientFinal)).toThrow('nonce mismatch');
  });

  it.each([
    ['SCRAM-SHA-1', 'pencil'],
    ['SCRAM-SHA-256', 'pencil'],
    ['SCRAM-SHA-256', 'I\u00ADX'], // SASLprep maps the soft hyphen to nothing: "IX"
  ] as [ScramMechanism, string][])('authenticates a client that derives its own secrets with %s (password %j)', (mechanism, password) => {
    const credential = deriveCredential(mechanism, 'alice', password);
    const conversation = new ScramServerConversation(mechanism, credential);
    const bare = 'n=alice,r=clientNonce123';
    const serverFirst = conversation.first(parseClientFirst(`n,,${bare}`));
    const input = mechanism === 'SCRAM-SHA-1' ? mongoPasswordDigest('alice', password) : password.replace('\u00AD', '');
    const { message, expectedServerFinal } = clientFinalFor(mechanism, input, bare, serverFirst);
    expect(conversation.final(message)).toBe(expectedServerFinal);
  });
});

describe('deriveCredential', () => {
  it.each([
    ['SCRAM-SHA-1', 10_000, 16],
    ['SCRAM-SHA-256', 15_000, 28],
  ] as [ScramMechanism, number, number][])('uses mongod\'s defaults for %s: %i iterations, %i-byte salt', (mechanism, iterations, saltBytes) => {
    const credential = deriveCredential(mechanism, 'u', 'p');
    expect(credential.iterationCount).toBe(iterations);
    expect(Buffer.from(credential.salt, 'base64')).toHaveLength(saltBytes);
  });

  it('hashes the MongoDB digest for SCRAM-SHA-1 and the SASLprep\'d password for SCRAM-SHA-256', () => {
    expect(scramPasswordInput('SCRAM-SHA-1', 'user', 'pencil')).toBe(createHash('md5').update('user:mongo:pencil').digest('hex'));
    expect(scramPasswordInput('SCRAM-SHA-256', 'user', 'I\u00ADX')).toBe('IX');
  });
});

describe('parseClientFirst', () => {
  it.each([
    ['n,,n=user,r=abc', 'user'],
    ['n,,n=a=2Cb=3Dc,r=abc', 'a,b=c'],
  ])('reads the user name of %s', (message, user) => {
    expect(parseClientFirst(message).user).toBe(user);
  });

  it.each([
    ['no GS2 header', 'n=user,r=abc'],
    ['channel binding', 'p=tls-unique,,n=user,r=abc'],
    ['an authzid', 'n,a=admin,n=user,r=abc'],
    ['no nonce', 'n,,n=user'],
  ])('refuses a message with %s', (_why, message) => {
    expect(() => parseClientFirst(message)).toThrow(ScramError);
  });

  it('refuses an invalid escape in a user name', () => {
    expect(() => decodeSaslName('a=2Db')).toThrow(ScramError);
  });
});
