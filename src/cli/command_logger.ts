/**
 * The logger of a command that reads the configuration: `logging` from the config, entries on the context's
 * stderr (a real stream in the process, a buffer in in-process tests).
 */
import { Writable } from 'node:stream';
import type { SyncConfig } from '../config/schema.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { CliContext, TextSink } from './cli_context.js';

function asWritable(sink: TextSink): Writable {
  if (sink instanceof Writable) return sink;
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      sink.write(chunk.toString());
      callback();
    },
  });
}

export function commandLogger(config: SyncConfig, context: CliContext): Logger {
  return createLogger({ ...config.logging, stream: asWritable(context.stderr) });
}
