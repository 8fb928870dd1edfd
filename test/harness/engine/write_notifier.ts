import { EventEmitter } from 'node:events';

/**
 * Wakes cursors that await new data (tailable capped cursors, change streams) when a write commits, instead of
 * polling. Waiters resolve on the next write or after their timeout, whichever comes first.
 */
export class WriteNotifier {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Called by the write path after every committed write. */
  notify(ns: string): void {
    this.emitter.emit('write', ns);
  }

  /** Resolves true on the next write, false after `timeoutMs`, or false at once when `signal` aborts. */
  waitForWrite(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(false);
      const done = (written: boolean) => {
        clearTimeout(timer);
        this.emitter.off('write', onWrite);
        signal?.removeEventListener('abort', onAbort);
        resolve(written);
      };
      const onWrite = () => done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), Math.max(0, timeoutMs));
      this.emitter.on('write', onWrite);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
