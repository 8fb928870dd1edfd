/**
 * A batch of raw documents laid end to end in one buffer that is reused from batch to batch.
 *
 * The copier used to keep each document as its own Buffer (a view of the driver's reply) until the batch was
 * written: thousands of small objects that lived through the young generation's collections while the batch filled
 * up, each collection copying them again, and views that kept whole replies alive. Copying the bytes here leaves
 * no object per document and lets the reply go at once; the buffer grows to the largest batch and is then reused.
 */

/** Where a new batch buffer starts; it doubles as needed. */
const INITIAL_CAPACITY = 64 * 1024;

/** Documents end to end; document `i` spans `[offsetOf(i), offsetOf(i + 1))`. */
export class DocumentBatch {
  private buffer: Buffer;
  /** Start of each document; the end of the last is `used`. */
  private readonly starts: number[] = [];
  private used = 0;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    this.buffer = Buffer.allocUnsafeSlow(Math.max(1, initialCapacity));
  }

  /** Number of documents. */
  get count(): number {
    return this.starts.length;
  }

  /** Bytes of all the documents. */
  get byteLength(): number {
    return this.used;
  }

  /** Bytes the buffer can hold before it grows. */
  get capacity(): number {
    return this.buffer.length;
  }

  /** Copies a document's bytes in after the others. */
  append(document: Uint8Array): void {
    const needed = this.used + document.byteLength;
    if (needed > this.buffer.length) this.grow(needed);
    this.buffer.set(document, this.used);
    this.starts.push(this.used);
    this.used = needed;
  }

  /** Where document `index` starts; `offsetOf(count)` is the end of the last. */
  offsetOf(index: number): number {
    return index < this.starts.length ? this.starts[index] : this.used;
  }

  /** The bytes of documents `[start, end)`, end to end: a view, valid until the batch is cleared or appended to. */
  bytesOf(start: number, end: number): Buffer {
    return this.buffer.subarray(this.offsetOf(start), this.offsetOf(end));
  }

  /** Document `index`'s bytes (a view, as {@link bytesOf}). */
  document(index: number): Buffer {
    return this.bytesOf(index, index + 1);
  }

  /** Empties the batch, keeping its buffer. */
  clear(): void {
    this.starts.length = 0;
    this.used = 0;
  }

  private grow(needed: number): void {
    // Doubling, or just enough for a document larger than that (up to 16 MiB), which is rare.
    const larger = Buffer.allocUnsafeSlow(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(larger, 0, 0, this.used);
    this.buffer = larger;
  }
}
