/**
 * The only reader of the configuration file and of the environment. `loadConfig` reads, then `resolveConfig`
 * (pure) parses the YAML, interpolates `${ENV}`, applies flag overrides, validates and fills in defaults.
 * Nothing touches a cluster before this succeeds.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, ERROR_CODES } from '../errors.js';
import { flagForKeyPath } from './config_flags.js';
import { closestMatch } from './did_you_mean.js';
import type { FieldProblem } from './field_types.js';
import { interpolateEnv } from './interpolate_env.js';
import type { SyncConfig } from './schema.js';
import { configErrorFromProblems, SCHEMA_KEY_PATHS, validateConfig } from './validate_config.js';
import { parseYamlSource, type YamlSource } from './yaml_source.js';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Path of sync.yaml. Unset: no file (every required key must then come from `argvOverrides`). */
  readonly path?: string | undefined;
  /** Environment for `${NAME}` references. Unset: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Values from command-line flags by key path (`{ 'logging.level': 'debug' }`); they win over the file. */
  readonly argvOverrides?: Readonly<Record<string, unknown>>;
  /** Directory relative paths given on the command line resolve against. Unset: `process.cwd()`. */
  readonly cwd?: string;
}

/** Options of {@link resolveConfig}: {@link LoadConfigOptions} with the file's text instead of its path. */
export interface ResolveConfigOptions {
  /** The YAML text. Unset: no file. */
  readonly text?: string | undefined;
  /** How messages name the file (`sync.yaml`). */
  readonly fileLabel?: string;
  /** Directory relative paths in the file resolve against. */
  readonly configDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly argvOverrides?: Readonly<Record<string, unknown>>;
  readonly cwd: string;
}

/**
 * Reads, validates and resolves the configuration. Throws a `ConfigError` naming the key path, the expected value
 * and the value found (CONFIG-1000 when there are several problems, listing them all).
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<SyncConfig> {
  const cwd = options.cwd ?? process.cwd();
  let text: string | undefined;
  if (options.path !== undefined) {
    const absolutePath = path.resolve(cwd, options.path);
    try {
      text = await readFile(absolutePath, 'utf8');
    } catch (error) {
      throw new ConfigError(
        ERROR_CODES.CONFIG_FILE_UNREADABLE,
        `Cannot read the configuration file ${options.path}: ${describeReadError(error)}.`,
        { hint: 'Check the path given to --config and the file\'s permissions.', cause: error, details: { path: absolutePath } },
      );
    }
  }
  return resolveConfig({
    text,
    ...(options.path === undefined ? {} : { fileLabel: options.path }),
    configDir: options.path === undefined ? cwd : path.dirname(path.resolve(cwd, options.path)),
    env: options.env ?? process.env,
    ...(options.argvOverrides === undefined ? {} : { argvOverrides: options.argvOverrides }),
    cwd,
  });
}

/** Resolves configuration text without any I/O (see {@link loadConfig}). */
export function resolveConfig(options: ResolveConfigOptions): SyncConfig {
  const fileLabel = options.fileLabel ?? 'sync.yaml';
  const source: YamlSource =
    options.text === undefined
      ? { value: {}, valuePositions: new Map(), keyPositions: new Map() }
      : parseYamlSource(options.text, fileLabel);

  const interpolation = interpolateEnv(source.value, options.env);
  const raw = interpolation.value as Record<string, unknown>;
  const earlyProblems: FieldProblem[] = [...interpolation.problems];

  const overridden = new Set<string>();
  for (const [keyPath, value] of Object.entries(options.argvOverrides ?? {})) {
    if (value === undefined) continue;
    if (!SCHEMA_KEY_PATHS.includes(keyPath)) {
      const suggestion = closestMatch(keyPath, SCHEMA_KEY_PATHS);
      earlyProblems.push({
        code: ERROR_CODES.CONFIG_UNKNOWN_KEY,
        keyPath,
        problem: 'unknown key in the command-line overrides',
        hint: suggestion === undefined ? 'Remove the override.' : `Did you mean "${suggestion}"?`,
      });
      continue;
    }
    setPath(raw, keyPath, value);
    overridden.add(keyPath);
  }

  const locate = (keyPath: string, what: 'key' | 'value'): string | undefined => {
    if (overridden.has(keyPath)) {
      const flag = flagForKeyPath(keyPath);
      return flag === undefined ? 'command-line override' : `flag --${flag}`;
    }
    const position = (what === 'key' ? source.keyPositions : source.valuePositions).get(keyPath);
    if (position === undefined) return undefined;
    const where = `${fileLabel}:${position.line}:${position.column}`;
    return interpolation.interpolatedPaths.has(keyPath) ? `${where}, after \${...} substitution` : where;
  };
  const result = validateConfig(raw, {
    locate,
    isText: (keyPath) => overridden.has(keyPath) || interpolation.interpolatedPaths.has(keyPath),
    baseDir: (keyPath) => (overridden.has(keyPath) ? options.cwd : options.configDir),
  });

  if (earlyProblems.length === 0 && result.ok) return result.config;
  // A value whose interpolation failed is not validated again: its own problem already says what to fix.
  const failedPaths = new Set(earlyProblems.map((problem) => problem.keyPath));
  const located = earlyProblems.map((problem) => locateEarlyProblem(problem, locate));
  const later = result.ok ? [] : result.problems.filter((problem) => !failedPaths.has(problem.keyPath));
  throw configErrorFromProblems([...located, ...later], options.text === undefined ? undefined : fileLabel);
}

function locateEarlyProblem(
  problem: FieldProblem,
  locate: (keyPath: string, what: 'key' | 'value') => string | undefined,
): FieldProblem & { message: string; hint: string } {
  const location = locate(problem.keyPath, 'value');
  return {
    ...problem,
    message: `${problem.keyPath}${location === undefined ? '' : ` (${location})`}: ${problem.problem ?? 'invalid value'}.`,
    hint: problem.hint ?? 'Fix the value.',
  };
}

function setPath(target: Record<string, unknown>, keyPath: string, value: unknown): void {
  const segments = keyPath.split('.');
  let node = target;
  for (const segment of segments.slice(0, -1)) {
    const child = node[segment];
    if (child === null || typeof child !== 'object' || Array.isArray(child)) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  node[segments[segments.length - 1] as string] = value;
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}
