import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { saslprep } from '@mongodb-js/saslprep';

/** The SCRAM mechanisms mongod 7.0 offers, with their hash and mongod's defaults (scramSHA*IterationCount). */
export const SCRAM_MECHANISMS = Object.freeze({
  'SCRAM-SHA-1': { hash: 'sha1', defaultIterations: 10_000, saltBytes: 16 },
  'SCRAM-SHA-256': { hash: 'sha256', defaultIterations: 15_000, saltBytes: 28 },
} as const);

export type ScramMechanism = keyof typeof SCRAM_MECHANISMS;

/** Whether `name` is one of the SCRAM mechanisms. */
export function isScramMechanism(name: unknown): name is ScramMechanism {
  return typeof name === 'string' && Object.hasOwn(SCRAM_MECHANISMS, name);
}

/** A user's stored SCRAM secrets, as mongod keeps them under `credentials.<mechanism>` (base64 strings). */
export interface ScramCredential {
  iterationCount: number;
  salt: string;
  storedKey: string;
  serverKey: string;
}

/**
 * MongoDB's legacy password digest, hex md5 of "user:mongo:password": SCRAM-SHA-1 hashes this instead of the
 * password itself (both mongod and the drivers do).
 */
export function mongoPasswordDigest(user: string, password: string): string {
  return createHash('md5').update(`${user}:mongo:${password}`, 'utf8').digest('hex');
}

/**
 * The string SCRAM's Hi() is applied to: the md5 digest for SCRAM-SHA-1, the SASLprep'd password for SCRAM-SHA-256
 * (RFC 7677 section 4 requires SASLprep; mongod applies it on createUser and the driver on authentication).
 */
export function scramPasswordInput(mechanism: ScramMechanism, user: string, password: string): string {
  return mechanism === 'SCRAM-SHA-1' ? mongoPasswordDigest(user, password) : saslprep(password);
}

/** RFC 5802 Hi(): PBKDF2 with HMAC of the mechanism's hash, one output block. */
export function saltedPassword(mechanism: ScramMechanism, input: string, salt: Buffer, iterations: number): Buffer {
  const hash = SCRAM_MECHANISMS[mechanism].hash;
  return pbkdf2Sync(Buffer.from(input, 'utf8'), salt, iterations, hash === 'sha1' ? 20 : 32, hash);
}

function hmac(mechanism: ScramMechanism, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(SCRAM_MECHANISMS[mechanism].hash, key).update(data).digest();
}

function digest(mechanism: ScramMechanism, data: Buffer): Buffer {
  return createHash(SCRAM_MECHANISMS[mechanism].hash).update(data).digest();
}

/** Derives the stored secrets of a password (what createUser writes into `admin.system.users`). */
export function deriveCredential(
  mechanism: ScramMechanism,
  user: string,
  password: string,
  options: { salt?: Buffer; iterationCount?: number } = {},
): ScramCredential {
  const { defaultIterations, saltBytes } = SCRAM_MECHANISMS[mechanism];
  const salt = options.salt ?? randomBytes(saltBytes);
  return credentialFromInput(mechanism, scramPasswordInput(mechanism, user, password), salt, options.iterationCount ?? defaultIterations);
}

/** RFC 5802's StoredKey and ServerKey of an already prepared password input (see {@link scramPasswordInput}). */
export function credentialFromInput(mechanism: ScramMechanism, input: string, salt: Buffer, iterationCount: number): ScramCredential {
  const salted = saltedPassword(mechanism, input, salt, iterationCount);
  const clientKey = hmac(mechanism, salted, 'Client Key');
  return {
    iterationCount,
    salt: salt.toString('base64'),
    storedKey: digest(mechanism, clientKey).toString('base64'),
    serverKey: hmac(mechanism, salted, 'Server Key').toString('base64'),
  };
}

/** Why a SCRAM exchange was refused; the commands answer every one of them with mongod's AuthenticationFailed. */
export class ScramError extends Error {
  override name = 'ScramError';
}

/** Parses `a=1,b=2` SCRAM attributes (values may contain '='). */
export function parseScramAttributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) throw new ScramError(`malformed SCRAM attribute '${part}'`);
    out.set(part[0]!, part.slice(2));
  }
  return out;
}

/** RFC 5802 saslname decoding: '=2C' is ',' and '=3D' is '='; any other '=' is an error. */
export function decodeSaslName(name: string): string {
  if (/=(?!2C|3D)/.test(name)) throw new ScramError(`invalid escape in SCRAM user name '${name}'`);
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** The parsed client-first message. */
export interface ClientFirst {
  /** The user name, unescaped. */
  user: string;
  clientNonce: string;
  /** client-first-message-bare, part of the AuthMessage. */
  bare: string;
}

/** Parses `n,,n=user,r=nonce` (no channel binding, no authzid other than empty, as mongod requires). */
export function parseClientFirst(message: string): ClientFirst {
  const match = /^([nyp][^,]*),([^,]*),(.*)$/.exec(message);
  if (!match) throw new ScramError('SCRAM client-first message has no GS2 header');
  if (match[1]!.startsWith('p')) throw new ScramError('SCRAM channel binding is not supported');
  if (match[2] !== '') throw new ScramError('SCRAM authorization identity is not supported');
  const bare = match[3]!;
  const attrs = parseScramAttributes(bare);
  const user = attrs.get('n');
  const clientNonce = attrs.get('r');
  if (user === undefined || user === '' || clientNonce === undefined || clientNonce === '') {
    throw new ScramError('SCRAM client-first message lacks n= or r=');
  }
  return { user: decodeSaslName(user), clientNonce, bare };
}

/**
 * The server side of one SCRAM conversation (RFC 5802 section 5): `first()` answers the client-first message,
 * `final()` checks the client proof and returns the server signature. The caller looks the user up between the two
 * steps and passes the stored credential in.
 */
export class ScramServerConversation {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly credential: ScramCredential,
    /** The server's half of the nonce; random unless a test fixes it. */
    private readonly serverNonce: string = randomBytes(24).toString('base64'),
  ) {}

  /** Answers client-first with `r=<clientNonce+serverNonce>,s=<salt>,i=<iterations>`. */
  first(clientFirst: ClientFirst): string {
    this.clientFirstBare = clientFirst.bare;
    this.nonce = clientFirst.clientNonce + this.serverNonce;
    this.serverFirst = `r=${this.nonce},s=${this.credential.salt},i=${this.credential.iterationCount}`;
    return this.serverFirst;
  }

  /** Checks `c=biws,r=<nonce>,p=<proof>` and returns `v=<server signature>`; throws ScramError on any mismatch. */
  final(clientFinal: string): string {
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (proofAt < 0) throw new ScramError('SCRAM client-final message has no proof');
    const withoutProof = clientFinal.slice(0, proofAt);
    const attrs = parseScramAttributes(clientFinal);
    // "biws" is base64("n,,"): the GS2 header without channel binding, as the client sent it in client-first.
    if (attrs.get('c') !== 'biws') throw new ScramError('SCRAM channel binding data mismatch');
    if (attrs.get('r') !== this.nonce) throw new ScramError('SCRAM nonce mismatch');
    const proof = Buffer.from(attrs.get('p') ?? '', 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const storedKey = Buffer.from(this.credential.storedKey, 'base64');
    const clientSignature = hmac(this.mechanism, storedKey, authMessage);
    if (proof.length !== clientSignature.length) throw new ScramError('SCRAM proof has the wrong length');
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    if (!timingSafeEqual(digest(this.mechanism, clientKey), storedKey)) {
      throw new ScramError('SCRAM authentication failed, storedKey mismatch');
    }
    const serverSignature = hmac(this.mechanism, Buffer.from(this.credential.serverKey, 'base64'), authMessage);
    return `v=${serverSignature.toString('base64')}`;
  }
}
