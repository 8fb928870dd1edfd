import net from 'node:net';
import { deserialize, serialize, type Document } from 'bson';

/**
 * A minimal wire-protocol client that sends documents as exact bytes (OP_MSG kind-1 sequences), bypassing the
 * driver's own serialization, so that tests can check what the server stores byte for byte.
 */
export class RawWireClient {
  private requestId = 1;
  private pending = Buffer.alloc(0);
  private waiter: ((message: Buffer) => void) | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      if (this.pending.length >= 4) {
        const length = this.pending.readInt32LE(0);
        if (this.pending.length >= length && this.waiter) {
          const message = this.pending.subarray(0, length);
          this.pending = this.pending.subarray(length);
          const w = this.waiter;
          this.waiter = undefined;
          w(message);
        }
      }
    });
  }

  /** Connects to `mongodb://host:port/...` (only host and port are used). */
  static async connect(uri: string): Promise<RawWireClient> {
    const { hostname, port } = new URL(uri.replace(/^mongodb:/, 'http:'));
    const socket = net.connect(Number(port), hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawWireClient(socket);
  }

  /** Sends one command with optional kind-1 sequences of raw documents; resolves with the decoded reply. */
  async command(body: Document, sequences: Record<string, Buffer[]> = {}): Promise<Document> {
    const parts: Buffer[] = [Buffer.from([0]), Buffer.from(serialize(body))];
    for (const [identifier, docs] of Object.entries(sequences)) {
      const id = Buffer.concat([Buffer.from(identifier, 'utf8'), Buffer.from([0])]);
      const size = Buffer.alloc(4);
      size.writeInt32LE(4 + id.length + docs.reduce((n, d) => n + d.length, 0));
      parts.push(Buffer.from([1]), size, id, ...docs);
    }
    const payload = Buffer.concat(parts);
    const header = Buffer.alloc(20);
    header.writeInt32LE(20 + payload.length, 0);
    header.writeInt32LE(this.requestId++, 4);
    header.writeInt32LE(0, 8);
    header.writeInt32LE(2013, 12);
    header.writeUInt32LE(0, 16);
    const reply = new Promise<Buffer>((resolve) => (this.waiter = resolve));
    this.socket.write(Buffer.concat([header, payload]));
    const message = await reply;
    return deserialize(message.subarray(21), { promoteValues: false, promoteLongs: false, promoteBuffers: false, bsonRegExp: true });
  }

  /** Sends arbitrary bytes (for malformed-message tests). */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves when the server closes the connection. */
  closed(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
