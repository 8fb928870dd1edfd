/**
 * Command-line flags that override configuration keys, derived from the `flag` of each schema field, so that a
 * flag and its key can never drift apart. Flag values are text; the schema converts them (`--port 8080`).
 */
import type { AnyFieldSpec, AnySpec } from './field_types.js';
import { SYNC_CONFIG_SCHEMA } from './schema.js';

/** One overriding flag. */
export interface ConfigFlag {
  /** Long flag name without dashes (`log-level`). */
  readonly flag: string;
  /** The key it overrides (`logging.level`). */
  readonly keyPath: string;
  readonly spec: AnyFieldSpec;
}

/** A yargs option description (structurally yargs' `Options`; config/ does not depend on yargs). */
export interface ConfigFlagOption {
  readonly type: 'string';
  readonly describe: string;
  readonly choices?: readonly string[];
  readonly requiresArg: true;
  readonly group: string;
}

/** Help group the overriding flags are listed under. */
export const CONFIG_FLAG_GROUP = 'Configuration overrides (take precedence over the file):';

/** Every overriding flag, in schema order. */
export const CONFIG_FLAGS: readonly ConfigFlag[] = Object.freeze(collectFlags(SYNC_CONFIG_SCHEMA, ''));

/** The yargs options of every overriding flag, by flag name. */
export function configFlagOptions(): Record<string, ConfigFlagOption> {
  return Object.fromEntries(
    CONFIG_FLAGS.map(({ flag, keyPath, spec }) => [
      flag,
      {
        type: 'string',
        describe: `Overrides ${keyPath}. ${spec.doc}`,
        ...(spec.choices === undefined ? {} : { choices: spec.choices }),
        requiresArg: true,
        group: CONFIG_FLAG_GROUP,
      },
    ]),
  );
}

/** The overrides given on the command line, by key path (`{ 'logging.level': 'debug' }`), for `loadConfig`. */
export function overridesFromArgv(argv: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const { flag, keyPath } of CONFIG_FLAGS) {
    const value = argv[flag];
    if (value !== undefined) overrides[keyPath] = value;
  }
  return overrides;
}

/** The flag that overrides a key path, if any. */
export function flagForKeyPath(keyPath: string): string | undefined {
  return CONFIG_FLAGS.find((entry) => entry.keyPath === keyPath)?.flag;
}

function collectFlags(spec: AnySpec, keyPath: string): ConfigFlag[] {
  if (spec.type === 'field') return spec.flag === undefined ? [] : [{ flag: spec.flag, keyPath, spec }];
  return Object.entries(spec.fields as Record<string, AnySpec>).flatMap(([name, child]) =>
    collectFlags(child, keyPath === '' ? name : `${keyPath}.${name}`),
  );
}
