/**
 * An order-independent hash of a collection's documents: the sum, modulo 2^256, of the SHA-256 digests of each
 * document's exact bytes.
 *
 * A sum is a multiset hash: the order in which documents are read does not matter (natural order differs between
 * two clusters), and a document present twice counts twice. XOR would not do: two identical documents cancel, so
 * a duplicate on one side and a missing document on the other could hide each other.
 *
 * The sum is kept in eight 32-bit lanes held in doubles, and carries are propagated only every
 * {@link DEFAULT_CARRY_INTERVAL} additions: each lane then stays below 2^52, exact in a double, and adding a digest
 * costs eight additions instead of a BigInt parse and add.
 */
import { hash } from 'node:crypto';

/** Number of 32-bit lanes in 256 bits. */
const LANES = 8;
const LANE_BASE = 2 ** 32;
/**
 * Additions between two carry propagations: a lane below 2^32 plus 2^20 additions of values below 2^32 stays below
 * 2^53, the largest integer a double holds exactly.
 */
export const DEFAULT_CARRY_INTERVAL = 2 ** 20;

/** A sum of 256-bit values modulo 2^256. */
export class Sum256 {
  /** Little-endian 32-bit lanes: lanes[0] holds the least significant word. */
  private readonly lanes = new Float64Array(LANES);
  private sinceCarry = 0;

  /** @param carryInterval additions between carry propagations; tests lower it to exercise carries. */
  constructor(private readonly carryInterval: number = DEFAULT_CARRY_INTERVAL) {}

  /** Adds a 32-byte big-endian value (a SHA-256 digest). */
  add(value: Uint8Array): void {
    if (value.length !== 32) throw new RangeError(`Sum256 adds 32-byte values, got ${value.length} bytes`);
    const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
    for (let word = 0; word < LANES; word += 1) {
      // Word 0 of the big-endian value is the most significant one.
      this.lanes[LANES - 1 - word] += view.getUint32(word * 4, false);
    }
    this.sinceCarry += 1;
    if (this.sinceCarry >= this.carryInterval) this.carry();
  }

  /** The sum as 64 lowercase hex digits. */
  toHex(): string {
    this.carry();
    let hex = '';
    for (let lane = LANES - 1; lane >= 0; lane -= 1) hex += this.lanes[lane].toString(16).padStart(8, '0');
    return hex;
  }

  private carry(): void {
    let carry = 0;
    for (let lane = 0; lane < LANES; lane += 1) {
      const total = this.lanes[lane] + carry;
      this.lanes[lane] = total % LANE_BASE;
      carry = Math.floor(total / LANE_BASE);
    }
    // The carry out of the top lane is dropped: the sum is modulo 2^256.
    this.sinceCarry = 0;
  }
}

/** The order-independent hash of a stream of documents, with their count. */
export class MultisetHash {
  private readonly sum: Sum256;
  /** Documents added so far. */
  count = 0;

  constructor(carryInterval: number = DEFAULT_CARRY_INTERVAL) {
    this.sum = new Sum256(carryInterval);
  }

  /** Adds one document's exact bytes. */
  add(document: Uint8Array): void {
    // crypto.hash (Node 20.12+) skips the Hash object, about a third faster per document than createHash.
    this.sum.add(hash('sha256', document, 'buffer'));
    this.count += 1;
  }

  /** The hash as 64 hex digits; all zeros for no documents. */
  toHex(): string {
    return this.sum.toHex();
  }
}
