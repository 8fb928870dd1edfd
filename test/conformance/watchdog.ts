import { Worker } from 'node:worker_threads';

/**
 * Guards the run against an embedded server that blocks the event loop (an endless loop in a handler): the servers
 * run in the runner's own process, so per-operation timeouts cannot fire then. The main thread beats every second
 * into shared memory; a worker thread that sees no beat for `stallMs` prints what was running and kills the process,
 * so that CI fails with a reason instead of hanging.
 */
export interface Watchdog {
  /** Records what is running now, for the message printed on a stall. */
  running(label: string): void;
  stop(): void;
}

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const beats = new Float64Array(workerData.buffer);
let label = 'startup';
parentPort.on('message', (m) => { label = m; });
setInterval(() => {
  if (Date.now() - beats[0] > workerData.stallMs) {
    require('node:fs').writeSync(2, 'conformance: the event loop has been blocked for ' + workerData.stallMs +
      ' ms (an endless loop in the server?) while running ' + label + '; aborting\\n');
    process.kill(workerData.pid, 'SIGKILL');
  }
}, 1000);
`;

/** Starts the watchdog; `stallMs` is how long the event loop may stay blocked. */
export function startWatchdog(stallMs: number): Watchdog {
  const buffer = new SharedArrayBuffer(8);
  const beats = new Float64Array(buffer);
  beats[0] = Date.now();
  const timer = setInterval(() => {
    beats[0] = Date.now();
  }, 1000);
  timer.unref();
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { buffer, stallMs, pid: process.pid } });
  worker.unref();
  return {
    running: (label) => worker.postMessage(label),
    stop: () => {
      clearInterval(timer);
      void worker.terminate();
    },
  };
}
