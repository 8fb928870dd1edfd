/**
 * The resolved configuration as it may be shown (`sync config check`, logs): connection strings without
 * passwords, and any secret-named field masked.
 */
import { redactUri, redactValue } from '../log/redact.js';
import type { AnySpec } from './field_types.js';
import { SYNC_CONFIG_SCHEMA, type SyncConfig } from './schema.js';

/** A copy of `config` that is safe to print. */
export function redactConfig(config: SyncConfig): SyncConfig {
  return redactValue(redactSection(SYNC_CONFIG_SCHEMA, config)) as SyncConfig;
}

function redactSection(spec: AnySpec, value: unknown): unknown {
  if (spec.type === 'field') return spec.kind === 'uri' && typeof value === 'string' ? redactUri(value) : value;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
    const childSpec = (spec.fields as Record<string, AnySpec>)[name];
    out[name] = childSpec === undefined ? child : redactSection(childSpec, child);
  }
  return out;
}
