/**
 * How `sync start` shows the copy's progress: live bars on a terminal (overall and per namespace: documents, bytes,
 * rate, ETA, drawn by cli-progress), and on anything else (cron, CI, a pipe) one log line every
 * {@link LOG_LINE_INTERVAL_MS} plus a final one.
 */
import cliProgress from 'cli-progress';
import type { Logger } from '../log/logger.js';
import type { CopyProgressListener, CopyProgressSnapshot } from '../lifecycle/copy_progress.js';
import type { TextSink } from './cli_context.js';

/** Period of the progress line when stderr is not a terminal. */
export const LOG_LINE_INTERVAL_MS = 10_000;

/** A progress listener and what to do once the command is over. */
export interface ProgressDisplay {
  readonly listener: CopyProgressListener;
  stop(): void;
}

/** Byte counts as humans read them (binary units). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Seconds as `1h02m03s` / `2m05s` / `7s`, or `-` when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '-';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(rest).padStart(2, '0')}s`;
  if (m > 0) return `${m}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

/** The fields of the progress log line (constant message, values in fields). */
export function progressFields(s: CopyProgressSnapshot): Record<string, number | string> {
  return {
    count: s.docs,
    totalCount: s.totalDocs,
    sizeBytes: s.bytes,
    totalSizeBytes: s.totalBytes,
    docsPerSecond: Math.round(s.docsPerSecond),
    bytesPerSecond: Math.round(s.bytesPerSecond),
    eta: formatDuration(s.etaSeconds),
    elapsedMs: s.elapsedMs,
  };
}

/** Chooses the display for a stream: live bars on a TTY, log lines otherwise. */
export function createProgressDisplay(stream: TextSink, logger: Logger, nowMs: () => number = Date.now): ProgressDisplay {
  const isTty = (stream as { isTTY?: boolean }).isTTY === true;
  return isTty ? terminalDisplay(stream as NodeJS.WritableStream) : logLineDisplay(logger, nowMs);
}

function logLineDisplay(logger: Logger, nowMs: () => number): ProgressDisplay {
  let lastLogged = nowMs();
  return {
    listener: (snapshot) => {
      if (!snapshot.done && nowMs() - lastLogged < LOG_LINE_INTERVAL_MS) return;
      lastLogged = nowMs();
      logger.info(snapshot.done ? 'copy finished' : 'copy progress', progressFields(snapshot));
    },
    stop: () => {},
  };
}

function terminalDisplay(stream: NodeJS.WritableStream): ProgressDisplay {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: '{name} |{bar}| {percentage}% {docs}/{totalDocs} docs {bytes} {rate}{etaText}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const rows = new Map<string, cliProgress.SingleBar>();
  let overall: cliProgress.SingleBar | undefined;
  let stopped = false;
  // cli-progress computes its own {eta} token from bar updates; ours comes from the byte rate of the whole copy.
  const payload = (name: string, docs: number, totalDocs: number, bytes: number, rate: string, eta: string) => ({
    name, docs, totalDocs, bytes: formatBytes(bytes), rate, etaText: eta ? ` eta ${eta}` : '',
  });
  return {
    listener: (s) => {
      overall ??= bars.create(Math.max(1, s.totalBytes), 0, payload('total', 0, s.totalDocs, 0, '', ''));
      overall.setTotal(Math.max(1, s.totalBytes));
      overall.update(s.bytes, payload('total', s.docs, s.totalDocs, s.bytes, `${formatBytes(s.bytesPerSecond)}/s`, formatDuration(s.etaSeconds)));
      for (const n of s.namespaces) {
        let row = rows.get(n.ns);
        if (!row) {
          row = bars.create(Math.max(1, n.totalBytes), 0, payload(n.ns, 0, n.totalDocs, 0, '', ''));
          rows.set(n.ns, row);
        }
        row.setTotal(Math.max(1, n.totalBytes));
        row.update(n.bytes, payload(n.ns, n.docs, n.totalDocs, n.bytes, '', ''));
      }
    },
    // Called once the copy is over and again on the way out; cli-progress must stop only once.
    stop: () => {
      if (stopped) return;
      stopped = true;
      bars.stop();
    },
  };
}
