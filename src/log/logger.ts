/**
 * The winston logger. It is created once per process (by the CLI, from the resolved `logging` configuration) and
 * handed down; each module logs through `childLogger(logger, component)`.
 *
 * Output: entries go to stderr (stdout is reserved for command results), as readable text lines when stderr is a
 * terminal and `format` is `text`, and as one JSON object per line otherwise; the optional log file always gets
 * JSON. Every entry passes the redaction format first.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import winston from 'winston';
import { redactFormat } from './redact_format.js';

/** Log levels, most severe first. `error`: a human must act; `warn`: retried or degraded; `info`: state changes
 * and periodic progress; `debug`: per batch. */
export const LOG_LEVELS = Object.freeze(['error', 'warn', 'info', 'debug'] as const);
/** A log level name. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Console output formats. */
export const LOG_FORMATS = Object.freeze(['text', 'json'] as const);
/** A console output format name. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The logger type every module receives. */
export type Logger = winston.Logger;

/** Options of {@link createLogger}; the resolved `logging` configuration section fits it. */
export interface LoggerOptions {
  /** Entries less severe than this are dropped. */
  readonly level: LogLevel;
  /** Console format; `text` applies only when the console stream is a terminal (JSON otherwise). */
  readonly format: LogFormat;
  /** Path of a file that receives every entry as JSON, appended. Unset: no file. */
  readonly file?: string | undefined;
  /** Where console entries go. Unset: `process.stderr`. */
  readonly stream?: Writable;
  /** Whether `stream` is a terminal. Unset: `stream.isTTY`. */
  readonly isTty?: boolean;
}

/** Files each logger writes, so that {@link closeLogger} can wait until they are flushed and closed. */
const FILE_STREAMS = new WeakMap<winston.Logger, WriteStream[]>();

const LEVEL_PRIORITIES: Readonly<Record<LogLevel, number>> = Object.freeze({ error: 0, warn: 1, info: 2, debug: 3 });

/** Fields that the text format prints in fixed places rather than as `key=value`. */
const TEXT_FIXED_FIELDS: ReadonlySet<string> = new Set(['level', 'message', 'timestamp', 'component']);

/** Creates the process's logger. Call it once; give modules {@link childLogger}s of it. */
export function createLogger(options: LoggerOptions): Logger {
  const stream = options.stream ?? process.stderr;
  const isTty = options.isTty ?? (stream as Writable & { isTTY?: boolean }).isTTY === true;
  const useText = options.format === 'text' && isTty;

  const fileStreams: WriteStream[] = [];
  const transports: winston.transport[] = [
    new winston.transports.Stream({
      stream,
      format: winston.format.combine(redactFormat(), winston.format.timestamp(), useText ? textFormat() : jsonFormat()),
    }),
  ];
  if (options.file !== undefined) {
    const file = options.file;
    const fileStream = createWriteStream(file, { flags: 'a' });
    fileStreams.push(fileStream);
    // A log file that cannot be opened must not crash a migration: say so once on the console and go on.
    fileStream.once('error', (error) => {
      stream.write(`${JSON.stringify({ level: 'warn', message: 'Cannot write the log file.', file, error: error.message })}\n`);
    });
    transports.push(
      new winston.transports.Stream({
        stream: fileStream,
        format: winston.format.combine(redactFormat(), winston.format.timestamp(), jsonFormat()),
      }),
    );
  }
  const logger = winston.createLogger({ levels: LEVEL_PRIORITIES, level: options.level, transports, exitOnError: false });
  FILE_STREAMS.set(logger, fileStreams);
  return logger;
}

/** A logger whose entries all carry `component` (the module's name, e.g. `copy`, `changes.applier`). */
export function childLogger(parent: Logger, component: string): Logger {
  return parent.child({ component });
}

/**
 * Ends the logger and resolves once every entry has been handed to its stream and every log file is closed
 * (call before the process exits). The console stream is left open.
 */
export async function closeLogger(logger: Logger): Promise<void> {
  await new Promise<void>((resolve) => {
    logger.once('finish', () => resolve());
    logger.end();
  });
  await Promise.all(
    (FILE_STREAMS.get(logger) ?? []).map(
      (fileStream) =>
        new Promise<void>((resolve) => {
          if (fileStream.closed) resolve();
          else {
            fileStream.once('close', () => resolve());
            fileStream.end();
          }
        }),
    ),
  );
}

function jsonFormat(): winston.Logform.Format {
  return winston.format.json();
}

/** `2024-05-01T10:00:00.000Z info  [copy] Partition copied. ns=db.c count=1000` */
function textFormat(): winston.Logform.Format {
  return winston.format.printf((info) => {
    const component = typeof info['component'] === 'string' ? ` [${info['component']}]` : '';
    const fields = Object.entries(info)
      .filter(([key]) => !TEXT_FIXED_FIELDS.has(key))
      .map(([key, value]) => `${key}=${formatTextValue(value)}`);
    const timestamp = typeof info['timestamp'] === 'string' ? info['timestamp'] : '';
    return [`${timestamp} ${info.level.padEnd(5)}${component} ${String(info.message)}`, ...fields].join(' ');
  });
}

function formatTextValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}
