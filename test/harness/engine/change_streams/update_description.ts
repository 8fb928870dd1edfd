import { Int32, type Document } from 'bson';
import { isEmbeddedDocument } from '../oplog_diff.js';

/** The `updateDescription` of an update change event. */
export interface UpdateDescription {
  updatedFields: Document;
  removedFields: string[];
  truncatedArrays: { field: string; newSize: Int32 }[];
  /** Only reported with showExpandedEvents (mongod 6.1+). */
  disambiguatedPaths: Document;
}

interface PathPart {
  name: string;
  isArrayIndex: boolean;
  /** The path is ambiguous as of this part (and stays so for every later part). */
  ambiguous: boolean;
}

/**
 * Derives an update event's description from a `$v: 2` diff, as mongod's change_stream_document_diff_parser.cpp:
 * updated then inserted fields of each level go to `updatedFields`, deletions to `removedFields`, array truncations
 * to `truncatedArrays`, and sub-diffs are visited afterwards in their order. A path is ambiguous (and listed in
 * `disambiguatedPaths` with array indices as integers) when a field name after the first is numeric or contains a
 * dot, since such a dotted path could also be read as array indices or deeper fields.
 */
export function describeUpdate(diff: Document): UpdateDescription {
  const out: UpdateDescription = { updatedFields: {}, removedFields: [], truncatedArrays: [], disambiguatedPaths: {} };
  visitDocumentDiff(diff, [], out);
  return out;
}

function dotted(path: PathPart[]): string {
  return path.map((p) => p.name).join('.');
}

function append(path: PathPart[], name: string, isArrayIndex: boolean): PathPart[] {
  const previous = path[path.length - 1];
  if (previous?.ambiguous) return [...path, { name, isArrayIndex, ambiguous: true }];
  const isNumeric = !isArrayIndex && path.length > 0 && /^(0|[1-9][0-9]*)$/.test(name);
  const isDotted = !isArrayIndex && !isNumeric && name.includes('.');
  return [...path, { name, isArrayIndex, ambiguous: isNumeric || isDotted }];
}

function noteAmbiguity(path: PathPart[], out: UpdateDescription): void {
  if (!path[path.length - 1]?.ambiguous) return;
  out.disambiguatedPaths[dotted(path)] = path.map((p) => (p.isArrayIndex ? new Int32(Number(p.name)) : p.name));
}

function addUpdated(path: PathPart[], value: unknown, out: UpdateDescription): void {
  out.updatedFields[dotted(path)] = value;
  noteAmbiguity(path, out);
}

function visitDocumentDiff(diff: Document, path: PathPart[], out: UpdateDescription): void {
  for (const section of ['u', 'i']) {
    const fields = diff[section];
    if (!isEmbeddedDocument(fields)) continue;
    for (const [name, value] of Object.entries(fields)) addUpdated(append(path, name, false), value, out);
  }
  if (isEmbeddedDocument(diff.d)) {
    for (const name of Object.keys(diff.d)) {
      const p = append(path, name, false);
      out.removedFields.push(dotted(p));
      noteAmbiguity(p, out);
    }
  }
  for (const [key, sub] of Object.entries(diff)) {
    if (key.length < 2 || key[0] !== 's' || !isEmbeddedDocument(sub)) continue;
    const p = append(path, key.slice(1), false);
    if (sub.a === true) visitArrayDiff(sub, p, out);
    else visitDocumentDiff(sub, p, out);
  }
}

function visitArrayDiff(diff: Document, path: PathPart[], out: UpdateDescription): void {
  if (diff.l !== undefined) {
    out.truncatedArrays.push({ field: dotted(path), newSize: new Int32(Number(diff.l)) });
    noteAmbiguity(path, out);
  }
  for (const [key, value] of Object.entries(diff)) {
    if (key === 'a' || key === 'l') continue;
    const p = append(path, key.slice(1), true);
    if (key[0] === 'u') addUpdated(p, value, out);
    else if (key[0] === 's' && isEmbeddedDocument(value)) {
      if (value.a === true) visitArrayDiff(value, p, out);
      else visitDocumentDiff(value, p, out);
    }
  }
}
