/**
 * The winston format that redacts every log entry before any transport formats it: URIs in the message and in
 * every string field lose their passwords, secret-named fields are masked, sensitive command bodies are emptied,
 * and long strings (document bodies) are cut.
 */
import winston from 'winston';
import { redactText, redactValue } from './redact.js';

/** Strings longer than this in a log entry are truncated; a document body never needs more to debug. */
export const MAX_LOG_STRING_LENGTH = 4096;

/** Creates the redaction format (see the file comment). */
export const redactFormat = winston.format((info) => {
  info.message = typeof info.message === 'string' ? redactText(info.message) : redactValue(info.message);
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message') continue;
    const redacted = redactValue({ [key]: info[key] }, { maxStringLength: MAX_LOG_STRING_LENGTH }) as Record<
      string,
      unknown
    >;
    info[key] = redacted[key];
  }
  return info;
});
