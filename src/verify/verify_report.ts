/**
 * The result of `sync verify`, and its two renderings: a text table for people and JSON for scripts. Pure: the
 * comparison fills a {@link VerifyReport}, these functions only read it.
 */
import { BSON, type Document } from 'mongodb';
import type { CollectionKind } from '../catalog/collection_rules.js';
import type { ComparisonMode, FieldDifference, IndexDifference } from './spec_comparison.js';

/** How a sampled document differs. */
export const SAMPLE_DIFFERENCES = Object.freeze(['missingOnDestination', 'extraOnDestination', 'contentDiffers'] as const);
/** A {@link SAMPLE_DIFFERENCES} value. */
export type SampleDifference = (typeof SAMPLE_DIFFERENCES)[number];

/** One document found to differ. */
export interface DocumentSample {
  /** The `_id` as canonical Extended JSON, so that its type shows (`{"$numberInt":"1"}`). */
  readonly _id: string;
  readonly difference: SampleDifference;
}

/** The comparison of one namespace. */
export interface NamespaceVerification {
  /** `db.coll`. */
  readonly ns: string;
  /** The kind on the source; null when the namespace exists only on the destination. */
  readonly sourceKind: CollectionKind | null;
  /** The kind on the destination; null when the namespace is missing there. */
  readonly destinationKind: CollectionKind | null;
  /** Documents read on the source; null when not counted (a view, or absent). */
  readonly sourceCount: number | null;
  /** Documents read on the destination; null when not counted (a view, or absent). */
  readonly destinationCount: number | null;
  /** Order-independent hash of the source's document bytes (64 hex digits); null when not counted. */
  readonly sourceHash: string | null;
  /** The same on the destination. */
  readonly destinationHash: string | null;
  /** Collection or view options that differ from the expected ones (a view's pipeline included). */
  readonly optionDifferences: readonly FieldDifference[];
  /** Indexes that differ from the expected ones. */
  readonly indexDifferences: readonly IndexDifference[];
  /** Up to the sample limit of differing documents, in `_id` order; empty when the hashes are equal. */
  readonly samples: readonly DocumentSample[];
}

/** Why the report compares with the sync-time or the original definitions. */
export const MODE_REASONS = Object.freeze(['flag', 'migrationState', 'noMigration'] as const);
/** A {@link MODE_REASONS} value. */
export type ModeReason = (typeof MODE_REASONS)[number];

/** The whole verification. */
export interface VerifyReport {
  readonly mode: ComparisonMode;
  /** `flag`: set by `--committed`; `migrationState`: from the migration document; `noMigration`: none found. */
  readonly modeReason: ModeReason;
  /** The migration id of the configuration. */
  readonly migrationId: string;
  /** The migration's state on the destination; null when the destination holds no such migration. */
  readonly migrationState: string | null;
  /** Every namespace the filter includes on either side, sorted by name. */
  readonly namespaces: readonly NamespaceVerification[];
}

/** True when the hashes were computed on both sides and are equal (the counts then are too). */
export function isHashEqual(verification: NamespaceVerification): boolean | null {
  if (verification.sourceHash === null || verification.destinationHash === null) return null;
  return verification.sourceHash === verification.destinationHash && verification.sourceCount === verification.destinationCount;
}

/** True when nothing differs in the namespace. */
export function isNamespaceEqual(verification: NamespaceVerification): boolean {
  return (
    verification.sourceKind === verification.destinationKind &&
    verification.sourceCount === verification.destinationCount &&
    isHashEqual(verification) !== false &&
    verification.optionDifferences.length === 0 &&
    verification.indexDifferences.length === 0 &&
    verification.samples.length === 0
  );
}

/** True when every namespace is equal. */
export function isReportEqual(report: VerifyReport): boolean {
  return report.namespaces.every(isNamespaceEqual);
}

/** The namespaces that differ. */
export function differingNamespaces(report: VerifyReport): NamespaceVerification[] {
  return report.namespaces.filter((verification) => !isNamespaceEqual(verification));
}

/** A catalog value as relaxed Extended JSON text; `(absent)` for a missing field. */
export function displayValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  return BSON.EJSON.stringify(value as Document, { relaxed: true });
}

/** The report as a JSON-ready value: computed verdicts added, catalog values as relaxed Extended JSON. */
export function reportToJson(report: VerifyReport): Document {
  const differing = differingNamespaces(report).length;
  return {
    equal: differing === 0,
    mode: report.mode,
    modeReason: report.modeReason,
    migrationId: report.migrationId,
    migrationState: report.migrationState,
    summary: { namespaces: report.namespaces.length, differing },
    namespaces: report.namespaces.map((verification) => ({
      ns: verification.ns,
      equal: isNamespaceEqual(verification),
      sourceKind: verification.sourceKind,
      destinationKind: verification.destinationKind,
      sourceCount: verification.sourceCount,
      destinationCount: verification.destinationCount,
      hashEqual: isHashEqual(verification),
      sourceHash: verification.sourceHash,
      destinationHash: verification.destinationHash,
      optionDifferences: verification.optionDifferences.map(fieldToJson),
      indexDifferences: verification.indexDifferences.map((difference) => ({
        name: difference.name,
        difference: difference.difference,
        ...(difference.expected === undefined ? {} : { expected: toRelaxed(difference.expected) }),
        ...(difference.actual === undefined ? {} : { actual: toRelaxed(difference.actual) }),
        ...(difference.fields === undefined ? {} : { fields: difference.fields.map(fieldToJson) }),
      })),
      samples: verification.samples.map((sample) => ({ ...sample })),
    })),
  };
}

function fieldToJson(difference: FieldDifference): Document {
  return {
    field: difference.field,
    ...(difference.expected === undefined ? {} : { expected: toRelaxed(difference.expected) }),
    ...(difference.actual === undefined ? {} : { actual: toRelaxed(difference.actual) }),
  };
}

function toRelaxed(value: unknown): unknown {
  return (BSON.EJSON.serialize({ value }, { relaxed: true }) as { value: unknown }).value;
}

const TABLE_HEADER = Object.freeze(['NAMESPACE', 'KIND', 'SOURCE', 'DESTINATION', 'HASH', 'RESULT'] as const);

/** The report as text: a line on what was compared, a table of namespaces, the differences, a summary line. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines: string[] = [modeLine(report), ''];
  if (report.namespaces.length === 0) {
    lines.push('No namespace matches the namespace filter on either side.');
  } else {
    lines.push(...table([TABLE_HEADER, ...report.namespaces.map(tableRow)]));
  }
  const differing = differingNamespaces(report);
  for (const verification of differing) {
    lines.push('', `${verification.ns}:`, ...differenceLines(verification).map((line) => `  ${line}`));
  }
  lines.push(
    '',
    differing.length === 0
      ? `Result: all ${report.namespaces.length} namespaces are equal.`
      : `Result: ${differing.length} of ${report.namespaces.length} namespaces differ.`,
  );
  return `${lines.join('\n')}\n`;
}

function modeLine(report: VerifyReport): string {
  const against =
    report.mode === 'syncing'
      ? 'Indexes and options compared with their sync-time form'
      : "Indexes and options compared with the source's definitions";
  const why =
    report.modeReason === 'flag'
      ? '--committed'
      : report.modeReason === 'noMigration'
        ? `no migration "${report.migrationId}" on the destination`
        : `migration "${report.migrationId}" is ${report.migrationState ?? 'unknown'}`;
  return `${against} (${why}).`;
}

function tableRow(verification: NamespaceVerification): readonly string[] {
  const hash = isHashEqual(verification);
  return [
    verification.ns,
    kindText(verification),
    countText(verification.sourceCount),
    countText(verification.destinationCount),
    hash === null ? '-' : hash ? 'equal' : 'DIFFERENT',
    isNamespaceEqual(verification) ? 'ok' : 'DIFFERENT',
  ];
}

function kindText(verification: NamespaceVerification): string {
  if (verification.sourceKind === verification.destinationKind) return verification.sourceKind ?? '-';
  return `${verification.sourceKind ?? 'missing'}/${verification.destinationKind ?? 'missing'}`;
}

function countText(count: number | null): string {
  return count === null ? '-' : String(count);
}

/** Columns padded to their widest cell; the last column is not padded. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  '),
  );
}

const SAMPLE_TEXT: Readonly<Record<SampleDifference, string>> = Object.freeze({
  missingOnDestination: 'missing on the destination',
  extraOnDestination: 'only on the destination',
  contentDiffers: 'content differs (bytes)',
});

function differenceLines(verification: NamespaceVerification): string[] {
  const lines: string[] = [];
  if (verification.sourceKind !== verification.destinationKind) {
    lines.push(
      verification.destinationKind === null
        ? 'missing on the destination'
        : verification.sourceKind === null
          ? `only on the destination (${verification.destinationKind})`
          : `kind: ${verification.sourceKind} on the source, ${verification.destinationKind} on the destination`,
    );
  }
  if (verification.sourceKind !== null && verification.destinationKind !== null) {
    if (verification.sourceCount !== verification.destinationCount) {
      lines.push(`documents: ${countText(verification.sourceCount)} on the source, ${countText(verification.destinationCount)} on the destination`);
    }
    if (isHashEqual(verification) === false) {
      lines.push(`hash: ${verification.sourceHash ?? '-'} on the source, ${verification.destinationHash ?? '-'} on the destination`);
    }
  }
  for (const difference of verification.optionDifferences) {
    lines.push(`option ${difference.field}: expected ${displayValue(difference.expected)}, found ${displayValue(difference.actual)}`);
  }
  for (const difference of verification.indexDifferences) {
    if (difference.difference === 'missingOnDestination') {
      lines.push(`index ${difference.name}: missing on the destination, expected ${displayValue(difference.expected)}`);
    } else if (difference.difference === 'extraOnDestination') {
      lines.push(`index ${difference.name}: only on the destination ${displayValue(difference.actual)}`);
    } else {
      for (const field of difference.fields ?? []) {
        lines.push(`index ${difference.name}: ${field.field} expected ${displayValue(field.expected)}, found ${displayValue(field.actual)}`);
      }
    }
  }
  for (const sample of verification.samples) lines.push(`document _id ${sample._id}: ${SAMPLE_TEXT[sample.difference]}`);
  return lines;
}
