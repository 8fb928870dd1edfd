/**
 * Parses sync.yaml into a plain value plus the line and column of every key and value, so that validation
 * messages can point into the file.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { ConfigError, ERROR_CODES } from '../errors.js';

/** A position in the file, 1-based. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** The parsed file. */
export interface YamlSource {
  /** The document as plain data; `{}` for an empty file. */
  readonly value: Record<string, unknown>;
  /** Position of each value, by key path (`copy.parallelism`, `includeNamespaces[0]`). */
  readonly valuePositions: ReadonlyMap<string, SourcePosition>;
  /** Position of each key, by key path. */
  readonly keyPositions: ReadonlyMap<string, SourcePosition>;
}

/** Alias expansion limit: a YAML "billion laughs" file must not exhaust memory. */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses YAML text. Throws a `ConfigError` (CONFIG-1002) naming `fileLabel`, the line and the column for a
 * syntax error, a duplicated key, or a top level that is not a mapping.
 */
export function parseYamlSource(text: string, fileLabel: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const firstError = document.errors[0];
  if (firstError !== undefined) {
    const position = firstError.linePos?.[0];
    const where = position === undefined ? fileLabel : `${fileLabel}:${position.line}:${position.col}`;
    throw new ConfigError(
      ERROR_CODES.CONFIG_YAML_SYNTAX,
      `${where}: invalid YAML: ${firstLine(firstError.message)}.`,
      {
        hint: 'Fix the YAML syntax at that position (indentation, a missing ":" or quote, a duplicated key).',
        cause: firstError,
        details: { file: fileLabel, ...(position === undefined ? {} : { line: position.line, column: position.col }) },
      },
    );
  }

  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new ConfigError(ERROR_CODES.CONFIG_YAML_SYNTAX, `${fileLabel}: invalid YAML: ${(error as Error).message}.`, {
      hint: 'Use fewer YAML aliases (*name), or write the values out.',
      cause: error,
    });
  }
  if (value === null || value === undefined) value = {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(
      ERROR_CODES.CONFIG_YAML_SYNTAX,
      `${fileLabel}: the top level must be a mapping of keys (source:, destination:, ...), found ${
        Array.isArray(value) ? 'a list' : 'a single value'
      }.`,
      { hint: 'Start from config/minimal.yaml.' },
    );
  }

  const valuePositions = new Map<string, SourcePosition>();
  const keyPositions = new Map<string, SourcePosition>();
  const positionOf = (node: Node | null | undefined): SourcePosition | undefined => {
    if (node?.range === undefined || node.range === null) return undefined;
    const { line, col } = lineCounter.linePos(node.range[0]);
    return { line, column: col };
  };
  const walk = (node: unknown, keyPath: string): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key === undefined) continue;
        const childPath = keyPath === '' ? key : `${keyPath}.${key}`;
        const keyPosition = positionOf(pair.key as Node);
        if (keyPosition !== undefined) keyPositions.set(childPath, keyPosition);
        const valuePosition = positionOf(pair.value as Node | null) ?? keyPosition;
        if (valuePosition !== undefined) valuePositions.set(childPath, valuePosition);
        if (!isAlias(pair.value)) walk(pair.value, childPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const childPath = `${keyPath}[${index}]`;
        const position = positionOf(item as Node);
        if (position !== undefined) {
          valuePositions.set(childPath, position);
          keyPositions.set(childPath, position);
        }
        if (!isAlias(item)) walk(item, childPath);
      });
    }
  };
  walk(document.contents, '');
  return { value: value as Record<string, unknown>, valuePositions, keyPositions };
}

/** The parser's message without the position and source excerpt that `prettyErrors` appends. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').replace(/\.$/, '');
}
