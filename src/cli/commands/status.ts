/**
 * `sync status --config F [--json]`: the migration's state, phase, copy progress per namespace, lag, events applied,
 * the process driving it and the failure reason, from any host. `--json` prints mongosync's progress document.
 */
import type { CommandModule } from 'yargs';
import { readMigrationStatus, type MigrationProgress } from '../../lifecycle/migration_status.js';
import type { CliContext } from '../cli_context.js';
import { loadConfigFromArgs, withConfigOptions, type ConfigArgs } from '../config_options.js';
import { formatBytes } from '../progress_display.js';

interface StatusArgs extends ConfigArgs {
  readonly json: boolean;
}

/** The human summary of a progress document. */
export function formatStatus(p: MigrationProgress): string {
  const lines = [`Migration "${p.migrationId}": ${p.state} (${p.info})`];
  lines.push(p.runningOn ? `  running on ${p.runningOn.host} (pid ${p.runningOn.pid})` : '  no process is running it now');
  if (p.failure) lines.push(`  failure [${p.failure.code}] at ${p.failure.at.toISOString()}: ${p.failure.message}`);
  lines.push(`  copy: ${p.collectionCopy.documentsCopied} documents, ${formatBytes(p.collectionCopy.estimatedCopiedBytes)} copied`);
  lines.push(`  changes: ${p.totalEventsApplied} events applied, lag ${p.lagTimeSeconds === null ? '-' : `${p.lagTimeSeconds} s`}`);
  lines.push(`  direction: ${p.directionMapping.Source} -> ${p.directionMapping.Destination}${p.direction === 'reverse' ? ' (reversed)' : ''}`);
  lines.push(`  canCommit: ${p.canCommit}, canWrite: ${p.canWrite}`);
  if (p.namespaces.length > 0) {
    const width = Math.max(9, ...p.namespaces.map((n) => n.ns.length));
    lines.push('', `  ${'NAMESPACE'.padEnd(width)}  PARTITIONS  DOCUMENTS  BYTES`);
    for (const n of p.namespaces) {
      lines.push(`  ${n.ns.padEnd(width)}  ${`${n.partitionsDone}/${n.partitions}`.padStart(10)}  ${String(n.documentsCopied).padStart(9)}  ${formatBytes(n.bytesCopied)}`);
    }
  }
  for (const warning of p.warnings) lines.push(`  warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

export function statusCommand(context: CliContext): CommandModule<object, StatusArgs> {
  return {
    command: 'status',
    describe: "Show the migration's state, progress, lag and failure reason (from any host)",
    builder: (yargs) =>
      withConfigOptions(yargs).option('json', { type: 'boolean', default: false, describe: "Print mongosync's progress JSON" }),
    handler: async (argv) => {
      const config = await loadConfigFromArgs(argv, context);
      const progress = await readMigrationStatus(config);
      context.stdout.write(argv.json ? `${JSON.stringify({ progress }, null, 2)}\n` : formatStatus(progress));
    },
  };
}
